/* ring: work in progress */
