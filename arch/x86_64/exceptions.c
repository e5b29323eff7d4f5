/*
 * arch/x86_64/exceptions.c - the C side of the trap stub: exception
 * fix-ups (rdmsr_safe and friends), fatal exception reports with a full
 * register dump and a frame-pointer backtrace (the other CPUs are stopped
 * first), host NMIs (to smp.c, returning by arch_frame_iret), and
 * interrupt dispatch.
 */
#include "arch/x86_64/regs.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "kernel/arch_cpu.h"
#include "kernel/printk.h"
#include "kernel/panic.h"
#include "kernel/error.h"
#include "kernel/arch_debug.h"
#include "kernel/host_irq.h"
#include "kernel/scheduler.h"

#define TRAP_VECTOR_YIELD 0x81	/* arch_vcpu_yield(): an orphan asks to be scheduled */

static const char *const exception_names[32] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range exceeded",
	[6] = "#UD invalid opcode",
	[7] = "#NM device not available",
	[8] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack-segment fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[16] = "#MF x87 floating-point error",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XM SIMD floating-point",
	[20] = "#VE virtualization exception",
	[21] = "#CP control protection",
	[28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication",
	[30] = "#SX security exception",
};

struct extable_entry {
	u64 insn;
	u64 fixup;
};
extern const struct extable_entry _extable_start[], _extable_end[];

/* Resume at the fix-up of a faulting instruction that has one. */
static bool extable_fixup(struct arch_regs *regs)
{
	for (const struct extable_entry *e = _extable_start; e < _extable_end; e++) {
		if (e->insn == regs->rip) {
			regs->rip = e->fixup;
			return true;
		}
	}
	return false;
}

int rdmsr_safe(u32 msr, u64 *value)
{
	u32 lo = 0, hi = 0;
	int err = 0;

	__asm__ volatile("1: rdmsr\n"
			 "2:\n"
			 ".pushsection .extable, \"a\"\n"
			 ".quad 1b, 3f\n"
			 ".popsection\n"
			 ".pushsection .text.fixup, \"ax\"\n"
			 "3: movl %[efault], %[err]\n"
			 "jmp 2b\n"
			 ".popsection\n"
			 : "+a"(lo), "+d"(hi), [err] "+r"(err)
			 : "c"(msr), [efault] "i"(-VMM_EFAULT));
	*value = ((u64)hi << 32) | lo;
	return err;
}

/* 'call_site': addr is a return address, so name the call before it */
static void print_addr_at(const char *prefix, u64 addr, bool call_site)
{
	unsigned long off;
	const char *name = arch_symbol_lookup(call_site ? addr - 1 : addr, &off);

	if (name && call_site)
		off++;

	if (name)
		vmm_emerg("%s0x%016llx <%s+0x%lx>\n", prefix, (unsigned long long)addr, name, off);
	else
		vmm_emerg("%s0x%016llx\n", prefix, (unsigned long long)addr);
}

static void print_addr(const char *prefix, u64 addr)
{
	print_addr_at(prefix, addr, false);
}

/*
 * Walk saved frame pointers from 'rbp'. A frame is followed only while it
 * stays 8-aligned, above the previous one and within 64 KiB of 'stack_lo'
 * (no stack here is larger), so a corrupt chain cannot fault the walker.
 */
static void backtrace(u64 rip, u64 rbp, u64 stack_lo)
{
	vmm_emerg(" Backtrace:\n");
	print_addr("  #0  ", rip);
	for (int depth = 1; depth < 32; depth++) {
		const u64 *frame = (const u64 *)(uintptr_t)rbp;

		if (!rbp || (rbp & 7) || rbp < stack_lo || rbp + 16 > stack_lo + 64 * KiB)
			break;
		if (!frame[1])
			break;
		char prefix[12];

		vmm_snprintf(prefix, sizeof(prefix), "  #%-2d ", depth);
		print_addr_at(prefix, frame[1], true);
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
}

static void dump_regs(const struct arch_regs *r)
{
	vmm_emerg(" RAX 0x%016llx RBX 0x%016llx RCX 0x%016llx\n",
		  (unsigned long long)r->rax, (unsigned long long)r->rbx, (unsigned long long)r->rcx);
	vmm_emerg(" RDX 0x%016llx RSI 0x%016llx RDI 0x%016llx\n",
		  (unsigned long long)r->rdx, (unsigned long long)r->rsi, (unsigned long long)r->rdi);
	vmm_emerg(" RBP 0x%016llx RSP 0x%016llx R8  0x%016llx\n",
		  (unsigned long long)r->rbp, (unsigned long long)r->rsp, (unsigned long long)r->r8);
	vmm_emerg(" R9  0x%016llx R10 0x%016llx R11 0x%016llx\n",
		  (unsigned long long)r->r9, (unsigned long long)r->r10, (unsigned long long)r->r11);
	vmm_emerg(" R12 0x%016llx R13 0x%016llx R14 0x%016llx\n",
		  (unsigned long long)r->r12, (unsigned long long)r->r13, (unsigned long long)r->r14);
	vmm_emerg(" R15 0x%016llx RIP 0x%016llx RFLAGS 0x%016llx\n",
		  (unsigned long long)r->r15, (unsigned long long)r->rip, (unsigned long long)r->rflags);
	vmm_emerg(" CS 0x%04llx SS 0x%04llx CR0 0x%016llx CR2 0x%016llx\n",
		  (unsigned long long)r->cs, (unsigned long long)r->ss,
		  (unsigned long long)read_cr0(), (unsigned long long)read_cr2());
	vmm_emerg(" CR3 0x%016llx CR4 0x%016llx EFER 0x%016llx\n",
		  (unsigned long long)read_cr3(), (unsigned long long)read_cr4(),
		  (unsigned long long)rdmsr(MSR_EFER));
}

static void describe_page_fault(u64 error)
{
	vmm_emerg(" page fault: %s access, %s, %s mode%s%s\n",
		  (error & 16) ? "instruction fetch" : (error & 2) ? "write" : "read",
		  (error & 1) ? "protection violation" : "page not present",
		  (error & 4) ? "user" : "supervisor",
		  (error & 8) ? ", reserved bit set" : "",
		  (error & 32) ? ", protection key" : "");
}

static void __noreturn fatal_exception(struct arch_regs *regs)
{
	const char *name = exception_names[regs->vector] ? exception_names[regs->vector]
							  : "reserved exception";

	arch_cpu_stop_others();
	vmm_printk_break_lock();
	vmm_emerg("\nCPU%u: EXCEPTION %s (vector %llu) error code 0x%llx\n",
		  this_cpu()->cpu_id, name, (unsigned long long)regs->vector,
		  (unsigned long long)regs->error);
	print_addr(" at RIP ", regs->rip);
	if (regs->vector == 14)
		describe_page_fault(regs->error);
	dump_regs(regs);
	backtrace(regs->rip, regs->rbp, ALIGN_DOWN(regs->rsp, 16));
	vmm_fatal_stop();
}

void arch_frame_iret(struct arch_regs *regs) __noreturn;

/* Called by trap_common for every exception and interrupt. */
void arch_trap_handler(struct arch_regs *regs);
void arch_trap_handler(struct arch_regs *regs)
{
	if (regs->vector == 2) {
		/*
		 * NMI (IST 4): may interrupt a VM-exit handler, while the per-CPU
		 * "return to guest" flag is set, so never leave through
		 * trap_return (it would VM-enter with this frame): iretq here.
		 */
		smp_host_nmi(regs, NULL);
		arch_frame_iret(regs);
	}
	if (regs->vector < 32) {
		if (regs->vector != 8 && regs->vector != 18 && extable_fixup(regs))
			return;
		fatal_exception(regs);
	}
	if (regs->vector != TRAP_VECTOR_YIELD)
		vmm_host_irq_exec((u32)regs->vector, regs);
	vmm_scheduler_irq_process(regs);
}

/*
 * At a panic there is no trap frame: capture this CPU's registers as they
 * are in this function (the register holding the frame's address shows
 * that address), and walk the stack from here.
 */
void arch_dump_current(void)
{
	struct arch_regs r;
	u16 cs, ss;

	__asm__ volatile("mov %%rax, %c[rax](%[p])\n\t"
			 "mov %%rbx, %c[rbx](%[p])\n\t"
			 "mov %%rcx, %c[rcx](%[p])\n\t"
			 "mov %%rdx, %c[rdx](%[p])\n\t"
			 "mov %%rsi, %c[rsi](%[p])\n\t"
			 "mov %%rdi, %c[rdi](%[p])\n\t"
			 "mov %%rbp, %c[rbp](%[p])\n\t"
			 "mov %%rsp, %c[rsp](%[p])\n\t"
			 "mov %%r8, %c[r8](%[p])\n\t"
			 "mov %%r9, %c[r9](%[p])\n\t"
			 "mov %%r10, %c[r10](%[p])\n\t"
			 "mov %%r11, %c[r11](%[p])\n\t"
			 "mov %%r12, %c[r12](%[p])\n\t"
			 "mov %%r13, %c[r13](%[p])\n\t"
			 "mov %%r14, %c[r14](%[p])\n\t"
			 "mov %%r15, %c[r15](%[p])\n\t"
			 "leaq (%%rip), %%rax\n\t"
			 "mov %%rax, %c[rip](%[p])\n\t"
			 "mov %c[rax](%[p]), %%rax"
			 : : [p] "r"(&r),
			   [rax] "i"(__builtin_offsetof(struct arch_regs, rax)),
			   [rbx] "i"(__builtin_offsetof(struct arch_regs, rbx)),
			   [rcx] "i"(__builtin_offsetof(struct arch_regs, rcx)),
			   [rdx] "i"(__builtin_offsetof(struct arch_regs, rdx)),
			   [rsi] "i"(__builtin_offsetof(struct arch_regs, rsi)),
			   [rdi] "i"(__builtin_offsetof(struct arch_regs, rdi)),
			   [rbp] "i"(__builtin_offsetof(struct arch_regs, rbp)),
			   [rsp] "i"(__builtin_offsetof(struct arch_regs, rsp)),
			   [r8] "i"(__builtin_offsetof(struct arch_regs, r8)),
			   [r9] "i"(__builtin_offsetof(struct arch_regs, r9)),
			   [r10] "i"(__builtin_offsetof(struct arch_regs, r10)),
			   [r11] "i"(__builtin_offsetof(struct arch_regs, r11)),
			   [r12] "i"(__builtin_offsetof(struct arch_regs, r12)),
			   [r13] "i"(__builtin_offsetof(struct arch_regs, r13)),
			   [r14] "i"(__builtin_offsetof(struct arch_regs, r14)),
			   [r15] "i"(__builtin_offsetof(struct arch_regs, r15)),
			   [rip] "i"(__builtin_offsetof(struct arch_regs, rip))
			 : "memory");
	__asm__ volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
	r.cs = cs;
	r.ss = ss;
	r.rflags = read_rflags();
	r.vector = r.error = 0;
	dump_regs(&r);
	backtrace(r.rip, r.rbp, ALIGN_DOWN(r.rsp, 16));
}

void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	unsigned long off = 0;
	u64 ret = (u64)(uintptr_t)__builtin_return_address(0);
	const char *fn = arch_symbol_lookup(ret - 1, &off);

	vmm_panic("stack protector: the stack frame of %s (return into it at 0x%llx) was overwritten\n",
		  fn ? fn : "an unknown function", (unsigned long long)ret);
}
