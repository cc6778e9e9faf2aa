/* event_format: work in progress */
