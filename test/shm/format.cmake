# format tests
