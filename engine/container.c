/* container ids from cgroups (placeholder) */
