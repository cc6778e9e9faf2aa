# scap tests
