// ExplorerView
