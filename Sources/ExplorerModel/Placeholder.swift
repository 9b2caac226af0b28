// ExplorerModel
