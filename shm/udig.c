/* udig: work in progress */
