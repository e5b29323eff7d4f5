/*
 * arch/x86_64/smp.c - the host's application processors (APs): the list of
 * CPUs from the ACPI MADT, the trampoline page, INIT-SIPI-SIPI start, each
 * AP's own per-CPU area, descriptors, LAPIC and VMX operation, its
 * scheduler, the cross-CPU call (IPI vector SMP_CALL_VECTOR), stopping the other
 * CPUs (a call at power-off, an NMI at panic) and the host NMI handler.
 *
 * Every AP runs the scheduler (kernel/scheduler.c) with its own idle orphan
 * VCPU, as CPU0 does.
 */
#include <string.h>
#include "arch/x86_64/smp.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/apic_id.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/regs.h"
#include "arch/x86_64/timer.h"
#include "kernel/timer.h"
#include "arch/x86_64/setup.h"
#include "arch/x86_64/vmx/vmx.h"
#include "arch/x86_64/vmx/vmx_caps.h"
#include "kernel/arch_cpu.h"
#include "kernel/arch_debug.h"
#include "kernel/multiboot.h"
#include "kernel/host_mem.h"
#include "kernel/host_irq.h"
#include "kernel/manager.h"
#include "kernel/spinlock.h"
#include "kernel/scheduler.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/error.h"

enum cpu_state {
	CPU_ABSENT = 0,
	CPU_STARTING,		/* INIT-SIPI-SIPI sent, not yet in C */
	CPU_ONLINE,
	CPU_STOPPED,
};

struct smp_call {
	vmm_spinlock_t lock;	/* callers to one CPU, one at a time */
	void (*fn)(void *);
	void *arg;
	volatile u64 seq;	/* calls posted */
	volatile u64 done;	/* calls finished */
};

struct percpu *arch_percpu[ARCH_MAX_CPUS] = { &percpu_bsp_area };
static struct percpu ap_area[ARCH_MAX_CPUS - 1] __attribute__((aligned(64)));
static volatile u32 cpu_state[ARCH_MAX_CPUS] = { CPU_ONLINE };
static struct smp_call calls[ARCH_MAX_CPUS];
static u64 trampoline_pa;
static u64 bsp_cr3;

/* read by boot/ap_trampoline.asm while an AP starts (one AP at a time) */
u64 ap_boot_cr3, ap_boot_efer, ap_boot_stack, ap_boot_percpu;
extern const u8 ap_trampoline_start[], ap_trampoline_end[];
extern u8 boot_pml4[];

#define AP_STACK_ORDER 2	/* 16 KiB */
_Static_assert((PAGE_SIZE << AP_STACK_ORDER) == IST_STACK_SIZE,
	       "an AP's IST stacks are IST_STACK_SIZE (desc.c) and come from alloc_stack()");
#define AP_START_TIMEOUT_MS 2000
#define EFER_LME (1ULL << 8)

static inline u32 state_of(u32 cpu)
{
	return __atomic_load_n(&cpu_state[cpu], __ATOMIC_ACQUIRE);
}

static inline void set_state(u32 cpu, u32 s)
{
	__atomic_store_n(&cpu_state[cpu], s, __ATOMIC_RELEASE);
}

/* Wait up to 'us' microseconds (in 100 us steps) for a CPU to reach a state. */
static bool wait_cpu_state(u32 cpu, u32 want, u32 us)
{
	for (u32 t = 0; t < us && state_of(cpu) != want; t += 100)
		acpi_delay_us(100);
	return state_of(cpu) == want;
}

bool arch_smp_cpu_online(u32 cpu)
{
	return cpu < ARCH_MAX_CPUS && state_of(cpu) == CPU_ONLINE;
}

u32 arch_smp_cpus_online(void)
{
	u32 n = 0;

	for (u32 i = 0; i < ARCH_MAX_CPUS; i++)
		n += arch_smp_cpu_online(i);
	return n;
}

u32 smp_apic_id(u32 cpu)
{
	return arch_smp_cpu_online(cpu) ? arch_percpu[cpu]->apic_id : 0xFFFFFFFFu;
}

/*
 * The trampoline page: the first 4 KiB page from 0x8000 up to 0x9F000 that
 * the firmware map calls usable RAM and that holds neither the boot
 * information nor a module. The whole first MiB is kept from the page
 * allocator (setup.c), and setup.c reserves this page by name as well.
 */
u64 smp_trampoline_pick(const struct vmm_boot_info *bi)
{
	for (u64 pa = 0x8000; pa + PAGE_SIZE <= 0x9F000; pa += PAGE_SIZE) {
		bool usable = false, clash = false;

		for (u32 i = 0; i < bi->nr_mem; i++) {
			const struct vmm_mem_range *m = &bi->mem[i];
			bool overlap = m->base < pa + PAGE_SIZE && m->base + m->length > pa;

			if (m->type == VMM_MEM_USABLE && m->base <= pa &&
			    m->base + m->length >= pa + PAGE_SIZE)
				usable = true;
			else if (overlap && m->type != VMM_MEM_USABLE)
				clash = true;
		}
		if (bi->info_start < pa + PAGE_SIZE && bi->info_end > pa)
			clash = true;
		for (u32 i = 0; i < bi->nr_modules; i++)
			if (bi->modules[i].start < pa + PAGE_SIZE && bi->modules[i].end > pa)
				clash = true;
		if (usable && !clash) {
			trampoline_pa = pa;
			return pa;
		}
	}
	return 0;
}

/* ---- cross-CPU call ----------------------------------------------------- */

/* Run this CPU's posted call if it has not run yet (interrupts off). */
void arch_smp_call_poll(void)
{
	struct smp_call *c = &calls[this_cpu()->cpu_id];
	u64 seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);

	if (c->done != seq) {
		c->fn(c->arg);
		__atomic_store_n(&c->done, seq, __ATOMIC_RELEASE);
	}
}

static void smp_call_irq(u32 vector, struct arch_regs *regs, void *data)
{
	(void)vector;
	(void)regs;
	(void)data;
	lapic_eoi();
	arch_smp_call_poll();
}

/* Spin until *p == want or about 'ms' milliseconds of TSC pass. */
static bool wait_u64(volatile u64 *p, u64 want, u32 ms)
{
	u64 hz = arch_timer_tsc_hz() ? arch_timer_tsc_hz() : 1000000000ULL;
	u64 t0 = rdtsc();

	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != want) {
		if (rdtsc() - t0 > hz / 1000 * ms)
			return false;
		arch_cpu_relax();
	}
	return true;
}

int arch_smp_call(u32 cpu, void (*fn)(void *), void *arg, bool wait)
{
	struct smp_call *c;
	unsigned long flags;
	u64 seq;

	if (!arch_smp_cpu_online(cpu))
		return -VMM_ENOTAVAIL;
	if (cpu == this_cpu()->cpu_id) {
		flags = arch_cpu_irq_save();
		fn(arg);
		arch_cpu_irq_restore(flags);
		return VMM_OK;
	}
	c = &calls[cpu];
	flags = vmm_spin_lock_irqsave(&c->lock);
	/* the previous call to that CPU must have been taken */
	if (!wait_u64(&c->done, c->seq, 1000)) {
		vmm_spin_unlock_irqrestore(&c->lock, flags);
		return -VMM_ETIMEDOUT;
	}
	c->fn = fn;
	c->arg = arg;
	seq = c->seq + 1;
	__atomic_store_n(&c->seq, seq, __ATOMIC_RELEASE);
	lapic_send_ipi(arch_percpu[cpu]->apic_id, ICR_FIXED | SMP_CALL_VECTOR);
	vmm_spin_unlock_irqrestore(&c->lock, flags);
	if (wait && !wait_u64(&c->done, seq, 1000))
		return -VMM_ETIMEDOUT;
	return VMM_OK;
}

/* ---- kick ------------------------------------------------------------- */

static void smp_kick_irq(u32 vector, struct arch_regs *regs, void *data)
{
	(void)vector;
	(void)regs;
	(void)data;
	/* the work is in the trap's end: the scheduler, then the VM-entry checks */
	lapic_eoi();
	vmm_timer_expired();	/* another CPU may have changed this CPU's timer list */
}

bool arch_cpu_online(unsigned int cpu)
{
	return arch_smp_cpu_online(cpu);
}

void arch_cpu_kick(unsigned int cpu)
{
	if (cpu == this_cpu()->cpu_id || !arch_smp_cpu_online(cpu))
		return;
	lapic_send_ipi(arch_percpu[cpu]->apic_id, ICR_FIXED | SMP_KICK_VECTOR);
}

/* ---- stopping ----------------------------------------------------------- */

/* Power-off, on each AP: leave VMX operation, say so, stop. */
static void stop_this_cpu(void *unused)
{
	u32 cpu = this_cpu()->cpu_id;

	(void)unused;
	if (vmx_cpu_enabled()) {
		vmx_cpu_disable();
		vmm_info("smp: CPU%u: left VMX operation, stopped\n", cpu);
	} else {
		vmm_info("smp: CPU%u: stopped\n", cpu);
	}
	set_state(cpu, CPU_STOPPED);
	arch_cpu_stop();
}

void arch_smp_stop_others_call(void)
{
	u32 self = this_cpu()->cpu_id;

	for (u32 cpu = 0; cpu < ARCH_MAX_CPUS; cpu++) {
		if (cpu == self || !arch_smp_cpu_online(cpu))
			continue;
		if (arch_smp_call(cpu, stop_this_cpu, NULL, false)) {
			vmm_err("smp: CPU%u does not answer the stop call\n", cpu);
			continue;
		}
		if (!wait_cpu_state(cpu, CPU_STOPPED, 500000))
			vmm_err("smp: CPU%u did not stop\n", cpu);
	}
}

/* Panic: an NMI to every other CPU, whose NMI handler then halts it. */
void arch_cpu_stop_others(void)
{
	static volatile u32 stopping;
	u32 self = this_cpu()->cpu_id;

	if (__atomic_exchange_n(&stopping, 1, __ATOMIC_ACQ_REL))
		return;		/* another CPU is doing it (and will stop us) */
	for (u32 cpu = 0; cpu < ARCH_MAX_CPUS; cpu++) {
		if (cpu == self || !arch_smp_cpu_online(cpu))
			continue;
		arch_percpu[cpu]->stop_requested = 1;
		lapic_send_ipi(arch_percpu[cpu]->apic_id, ICR_NMI);
	}
	for (u32 cpu = 0; cpu < ARCH_MAX_CPUS; cpu++)
		if (cpu != self && arch_percpu[cpu] && arch_percpu[cpu]->stop_requested)
			wait_cpu_state(cpu, CPU_STOPPED, 10000);
}

/* ---- host NMIs ---------------------------------------------------------- */

static void nmi_report_irq(u32 vector, struct arch_regs *regs, void *data)
{
	struct percpu *pc = this_cpu();
	u32 n = __atomic_exchange_n(&pc->nmi_unreported, 0, __ATOMIC_ACQ_REL);
	unsigned long off = 0;
	const char *fn = arch_symbol_lookup(pc->nmi_rip, &off);

	(void)vector;
	(void)regs;
	(void)data;
	lapic_eoi();
	if (n)
		vmm_warn("host NMI on CPU%u at RIP 0x%llx <%s+0x%lx>%s: not a stop request, ignored\n",
			 pc->cpu_id, (unsigned long long)pc->nmi_rip, fn ? fn : "?", off,
			 n > 1 ? " (and earlier ones)" : "");
}

/*
 * After a VM exit caused by an NMI the CPU blocks further NMIs once the
 * exit completes (SDM 27.1: "An NMI causes subsequent NMIs to be blocked,
 * but only after the VM exit completes"), as if it had delivered the NMI,
 * and only an IRET unblocks them. No handler ran here, so nothing else
 * would execute that IRET until some later interrupt returns: do one now,
 * to the next instruction on this same stack (no IST switch, no int 2).
 * Harmless where NMIs are not blocked (Bochs 2.7 leaves them unblocked;
 * later Bochs versions block them as the SDM says).
 */
static void nmi_unblock(void)
{
	__asm__ volatile("movq %%rsp, %%rax\n\t"
			 "pushq %[ss]\n\t"
			 "pushq %%rax\n\t"
			 "pushfq\n\t"
			 "pushq %[cs]\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "iretq\n"
			 "1:"
			 : : [ss] "i"(0x10), [cs] "i"(0x08) : "rax", "memory", "cc");
}

/*
 * Like Linux's "NMI received for unknown reason": an NMI nobody asked for
 * is reported and the CPU goes on. A stop request (arch_cpu_stop_others)
 * halts the CPU quietly, NMIs stay blocked since it never returns.
 * In root mode this runs in NMI context (any lock may be held by the code
 * it interrupted), so the report is deferred to a self-IPI; after a VM exit
 * it is an ordinary exit handler and prints at once.
 */
void smp_host_nmi(struct arch_regs *regs, struct vmm_vcpu *guest)
{
	struct percpu *pc = this_cpu();

	if (pc->stop_requested) {
		set_state(pc->cpu_id, CPU_STOPPED);
		arch_cpu_stop();
	}
	if (guest) {
		nmi_unblock();
		vmm_warn("host NMI on CPU%u while guest %s vcpu%u ran (RIP 0x%llx): not a stop request, ignored\n",
			 pc->cpu_id, guest->guest ? guest->guest->name : "?", guest->subid,
			 (unsigned long long)(regs ? regs->rip : 0));
		return;
	}
	pc->nmi_rip = regs->rip;
	__atomic_fetch_add(&pc->nmi_unreported, 1, __ATOMIC_ACQ_REL);
	lapic_send_ipi(0, ICR_SELF | ICR_FIXED | SMP_NMI_REPORT_VECTOR);
}

/* ---- AP start ----------------------------------------------------------- */

/* The C entry of an AP, on its own stack with FS base at its percpu. */
void smp_ap_entry(struct percpu *pc) __noreturn;
void smp_ap_entry(struct percpu *pc)
{
	u32 cpu = pc->cpu_id;

	arch_desc_init_cpu(pc);
	if (read_cr3() != bsp_cr3)
		write_cr3(bsp_cr3);
	write_cr4(read_cr4() | X86_CR4_PGE);
	arch_paging_init_cpu();
	arch_cpu_enable_fpu_state();
	lapic_enable_cpu(false);
	arch_timer_init_cpu();
	if (lapic_id() != pc->apic_id)
		vmm_warn("smp: CPU%u: LAPIC id %u, the MADT said %u\n", cpu, lapic_id(), pc->apic_id);
	if (vmx_boot_caps()->verdict == VMX_USABLE)
		vmx_cpu_enable();	/* reports its own success or failure */
	/* this code becomes the CPU's idle orphan; then the CPU takes VCPUs */
	if (vmm_scheduler_init_cpu())
		vmm_panic("smp: CPU%u: cannot create its idle VCPU\n", cpu);
	set_state(cpu, CPU_ONLINE);
	arch_cpu_irq_enable();
	vmm_scheduler_idle_loop();
}

static void *alloc_stack(void)
{
	u64 pa = vmm_host_page_alloc(AP_STACK_ORDER);

	if (pa)
		memset((void *)(uintptr_t)pa, 0, PAGE_SIZE << AP_STACK_ORDER);
	return (void *)(uintptr_t)pa;
}

static int start_ap(u32 cpu, u32 apic_id)
{
	struct percpu *pc = &ap_area[cpu - 1];
	u8 *stack;
	u32 sipi = (u32)(trampoline_pa >> 12);

	memset(pc, 0, sizeof(*pc));
	pc->self = pc;
	pc->cpu_id = cpu;
	pc->apic_id = apic_id;
	/*
	 * The bootstrap CPU's canary: a thread that migrates between CPUs
	 * checks at a function's end the canary it stored at its start.
	 */
	pc->stack_canary = percpu_bsp_area.stack_canary;
	for (int i = 1; i <= IST_COUNT; i++) {
		pc->ist_stack[i] = alloc_stack();
		if (!pc->ist_stack[i])
			return -VMM_ENOMEM;
	}
	stack = alloc_stack();
	if (!stack)
		return -VMM_ENOMEM;
	ap_boot_percpu = (u64)(uintptr_t)pc;
	ap_boot_stack = (u64)(uintptr_t)stack + (PAGE_SIZE << AP_STACK_ORDER);
	arch_percpu[cpu] = pc;
	set_state(cpu, CPU_STARTING);

	/* INIT, 10 ms, SIPI, 200 us, SIPI (SDM 8.4.4.1; the second SIPI is
	 * ignored by a CPU that took the first) */
	lapic_send_ipi(apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
	acpi_delay_us(10000);
	for (int i = 0; i < 2; i++) {
		lapic_send_ipi(apic_id, ICR_STARTUP | sipi);
		acpi_delay_us(200);
	}
	if (!wait_cpu_state(cpu, CPU_ONLINE, AP_START_TIMEOUT_MS * 1000)) {
		vmm_err("smp: CPU%u (APIC id %u) did not start\n", cpu, apic_id);
		set_state(cpu, CPU_ABSENT);
		arch_percpu[cpu] = NULL;
		return -VMM_ETIMEDOUT;
	}
	return VMM_OK;
}

void arch_smp_init(u32 maxcpus)
{
	const struct acpi_madt_info *madt = acpi_madt_info();
	struct percpu *bsp = &percpu_bsp_area;
	u32 want, cpu = 1, skipped = 0;
	char ids[ARCH_MAX_CPUS * 4 + 1];
	size_t off = 0;

	bsp->apic_id = lapic_id();
	if (madt->valid && madt->lapic_base)
		lapic_set_base(madt->lapic_base);
	vmm_host_irq_register(SMP_CALL_VECTOR, smp_call_irq, NULL);
	vmm_host_irq_register(SMP_NMI_REPORT_VECTOR, nmi_report_irq, NULL);
	vmm_host_irq_register(SMP_KICK_VECTOR, smp_kick_irq, NULL);
	want = madt->valid ? madt->nr_cpus : 1;
	if (!madt->valid)
		vmm_info("smp: no ACPI MADT: only the bootstrap CPU is used\n");
	if (madt->nr_skipped)
		vmm_warn("smp: %u enabled CPU%s of the MADT not listed (more than %u, or APIC id 0xffffffff)\n",
			 madt->nr_skipped, madt->nr_skipped == 1 ? "" : "s", ACPI_MAX_CPUS);
	if (want > ARCH_MAX_CPUS) {
		vmm_warn("smp: %u CPUs in the MADT, at most %u are used (ARCH_MAX_CPUS)\n",
			 want, ARCH_MAX_CPUS);
		want = ARCH_MAX_CPUS;
	}
	if (maxcpus && want > maxcpus) {
		vmm_info("smp: maxcpus=%u: %u of the %u CPUs are started\n", maxcpus, maxcpus, want);
		want = maxcpus;
	}
	if (want > 1 && !trampoline_pa) {
		vmm_err("smp: no free page below 1 MiB for the AP trampoline: only the bootstrap CPU is used\n");
		want = 1;
	}
	if (want > 1) {
		memcpy((void *)(uintptr_t)trampoline_pa, ap_trampoline_start,
		       (size_t)(ap_trampoline_end - ap_trampoline_start));
		bsp_cr3 = read_cr3();
		/* the trampoline loads CR3 in 32-bit mode: tables above 4 GiB are
		 * reached through the boot tables first (smp_ap_entry switches) */
		ap_boot_cr3 = bsp_cr3 < 4 * GiB ? bsp_cr3 : (u64)(uintptr_t)boot_pml4;
		ap_boot_efer = (rdmsr(MSR_EFER) & EFER_NXE) | EFER_LME;
	}
	for (u32 i = 0; madt->valid && i < madt->nr_cpus && cpu < want; i++) {
		if (madt->apic_ids[i] == bsp->apic_id)
			continue;
		if (!apic_id_addressable(madt->apic_ids[i], lapic_x2apic)) {
			/* an 8-bit xAPIC destination would reach another CPU */
			vmm_warn("smp: the CPU with APIC id %u is not started: ids above %u need x2APIC mode and the LAPICs are in xAPIC mode (boot with x2apic)\n",
				 madt->apic_ids[i], APIC_ID_XAPIC_MAX);
			skipped++;
			continue;
		}
		if (start_ap(cpu, madt->apic_ids[i]) == VMM_OK)
			cpu++;
		else
			skipped++;
	}
	for (u32 i = 0; i < ARCH_MAX_CPUS; i++)
		if (arch_smp_cpu_online(i))
			off += vmm_snprintf(ids + off, sizeof(ids) - off, "%s%u", off ? " " : "",
					    arch_percpu[i]->apic_id);
	vmm_info("smp: %u CPU%s online (APIC ids %s)%s\n", arch_smp_cpus_online(),
		 arch_smp_cpus_online() == 1 ? "" : "s", ids,
		 skipped ? "; some did not start" : "");
}
