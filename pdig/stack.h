/*
 * pdig --stack: the user-space stack of a thread stopped at a selected
 * call, unwound with libunwind-ptrace, as text for the event's trailer
 * (shm_enc_trailer_str): innermost frame first, frames joined by "; ",
 * each "function+0xOFF (module+0xOFF)", or "(module+0xOFF)" without a
 * symbol, or "0xADDR" outside any mapped file.
 */
#ifndef PDIG_STACK_H
#define PDIG_STACK_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "pd_syscall_table.h"

#define PD_STACK_FRAMES 32        /* frames kept at most */
#define PD_STACK_BUDGET_NS 20000000u /* time one unwind may take (20 ms) */
#define PD_STACK_TEXT_MAX 2048u   /* bytes of text at most: the engine keeps enter
                                   * events of up to 4 KiB for their exit */

struct pd_stack;

/* 1 when this build unwinds (libunwind found and linked), else 0. */
int pd_stack_supported(void);
/* Checks a --stack list (NULL or "": the default set): 0, or -EINVAL with
 * the first unknown name in bad (cap bytes). */
int pd_stack_check(const char *spec, char *bad, size_t cap);
/* The unwinder for that list: 0, or a negative errno. */
int pd_stack_new(struct pd_stack **s, const char *spec);
void pd_stack_free(struct pd_stack *s);
/* Does the enter event of sc (args as the tracee passed them) get a stack? */
int pd_stack_wanted(const struct pd_stack *s, const struct pd_syscall *sc, pid_t tid,
		    const uint64_t *args);
/* Unwinds tid (of process pid, in a ptrace stop) into buf: the number of
 * frames; a partial stack ends in the frame "?" and is counted. */
int pd_stack_unwind(struct pd_stack *s, pid_t pid, pid_t tid, char *buf, size_t cap);
/* Process pid's image changed (exec) or ended: its cached maps go. */
void pd_stack_forget(struct pd_stack *s, pid_t pid);
/* After an event of t: a successful exec or the leader's exit forgets
 * its process (a new image, or a pid free for reuse). */
struct pd_tracee;
void pd_stack_after(struct pd_stack *s, const struct pd_tracee *t,
		    const struct pd_syscall *sc, uint16_t type, int64_t ret);
/* The counters, for pdig -v. */
void pd_stack_report(const struct pd_stack *s, FILE *f);

#endif
