// DuQuantIO
