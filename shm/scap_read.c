/* scap_read: work in progress */
