# ring tests
