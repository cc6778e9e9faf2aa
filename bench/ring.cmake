# bench/ring
