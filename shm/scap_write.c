/* scap_write: work in progress */
