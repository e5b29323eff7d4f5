/*
 * kernel/threads.h - hypervisor threads (chapter 6 of the design): orphan
 * VCPUs that run a C function in VMX root mode on their own stack,
 * scheduled like every VCPU (priority, time slice, affinity), and what
 * they use to wait: sleeping for a time, wait queues, mutexes and
 * completions (kernel/waitqueue.h). The idle orphan of each CPU only
 * idles; boot commands run in a thread of their own, the manager's
 * deferred work in another.
 */
#ifndef KERNEL_THREADS_H
#define KERNEL_THREADS_H

#include "kernel/types.h"
#include "kernel/timer.h"

struct vmm_vcpu;
struct vmm_waitqueue;

#define VMM_THREAD_NAME_MAX 32
#define VMM_THREAD_STACK_SIZE (16 * 1024)
#define VMM_THREAD_DEF_PRIORITY 0
#define VMM_THREAD_DEF_SLICE_NS 10000000ULL	/* 10 ms */

typedef int (*vmm_thread_fn_t)(void *arg);

struct vmm_thread {
	struct vmm_vcpu *vcpu;
	vmm_thread_fn_t fn;
	void *arg;
	int exit_status;
	bool exited;
	/* waiting (waitqueue.c): the queue, our link in it, the timeout */
	struct vmm_waitqueue *waiting_on;
	struct vmm_thread *wq_next;
	u64 wait_seq;			/* counts waits; a stale timeout is ignored */
	u64 timeout_seq;
	bool timed_out;
	struct vmm_timer_event timeout_ev;
};

/*
 * Create a thread (not started: its orphan VCPU is in RESET). prio 0..7,
 * slice_ns 0 for the default, affinity a mask of host CPUs (0: any).
 */
struct vmm_thread *vmm_thread_create(const char *name, vmm_thread_fn_t fn, void *arg,
				     u32 prio, u64 slice_ns, u64 affinity);
/* RESET -> READY: it runs fn(arg) from the start. */
int vmm_thread_start(struct vmm_thread *t);
/* Stop it wherever it is (-> RESET); started again it begins anew. Not for
 * the calling thread itself. Thread context (waits for it to stop). */
int vmm_thread_stop(struct vmm_thread *t);
/* Free a thread that is stopped or has exited (not the calling one). */
int vmm_thread_destroy(struct vmm_thread *t);
/* The calling thread, or NULL outside a thread (idle orphan, guest exit). */
struct vmm_thread *vmm_thread_current(void);
const char *vmm_thread_name(const struct vmm_thread *t);
/* End the calling thread (what returning from fn does): HALTED, status kept. */
void vmm_thread_exit(int status) __attribute__((noreturn));
/* Let the calling thread sleep for 'ns' nanoseconds / 'ms' milliseconds. */
void vmm_thread_sleep_ns(u64 ns);
void vmm_thread_sleep_ms(u64 ms);
/* Threads by index for `thread list` (NULL: free slot). */
struct vmm_thread *vmm_thread_by_index(u32 i);
u32 vmm_thread_slots(void);

#endif
