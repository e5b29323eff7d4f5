/*
 * tests/guests/apicbench.c - the local APIC figures of `make bench`
 * (tests/bench/run-bench.sh, third boot; dts tests/bench/apic-bench.dts:
 * three VCPUs, vcpu0 and vcpu1 pinned to host CPU1, vcpu2 to host CPU0).
 * Bochs' TSC counts instructions (clock: sync=none), so every figure is a
 * number of instructions, read with RDTSC on the measuring VCPU (the guest
 * TSC is the host's plus a constant offset: it runs on while the VCPU is
 * switched out).
 *
 * vcpu0 starts vcpu1 and vcpu2 with INIT-SIPI-SIPI (a real-mode trampoline
 * at 0x8000 that enters protected mode and calls ap_main), then measures,
 * each figure the average and minimum over BENCH_ITERS runs after a warm-up:
 *   ipi_same_*      IPI round trip vcpu0 -> vcpu1 (same host CPU): vcpu0
 *                   writes the ICR and waits in STI;HLT, vcpu1 (in HLT) takes
 *                   the IPI, its handler sends the reply IPI and EOIs, vcpu0's
 *                   handler reads the TSC (two VCPU switches included)
 *   ipi_cross_spin  the same to vcpu2 on the other host CPU, both VCPUs
 *                   polling with interrupts enabled (no HLT)
 *   ipi_cross_hlt   the same, both waiting in STI;HLT
 *   timer_oneshot   LVT timer one-shot, TDCR divide by 1, TMICT = 1 written
 *                   -> handler entry (vcpu0 polling with interrupts on; runs
 *                   TIMER_GAP apart, beyond the hypervisor's 200 us floor
 *                   between two firings of a VCPU's timer event)
 *   timer_deadline  TSC-deadline mode, IA32_TSC_DEADLINE = 1 (in the past)
 *                   written -> handler entry (when CPUID offers it)
 *   eoi_mmio        an EOI write to 0xFEE000B0 with a vector in service
 *                   (in the handler of a self-IPI), RDTSC before and after
 *   eoi_msr         the same as WRMSR 0x80B in x2APIC mode
 * In xAPIC mode (ICR through MMIO) first, then every CPU switches to
 * x2APIC (ICR through WRMSR 0x830) and the IPI figures are measured again
 * (suffix _x2). Lines: "apic NAME AVG MIN" (instructions). Ends through
 * isa-debug-exit with the number of failures (a measurement that timed out).
 */
#include "lib/tlib.h"

#define LAPIC 0xFEE00000u
#define TRAMPOLINE 0x8000u		/* SIPI vector 0x08 */
#define TRAMP_GDTR 0x7F00u		/* the GDTR the trampoline loads */
#define BENCH_ITERS 16
#define WARMUP 2
#define NR_CPUS 3
/* TSC ticks between two timer runs: 4 ms at Bochs' 50 MHz (ips=50000000) */
#define TIMER_GAP 200000u

#define VEC_TIMER 0x40
#define VEC_EOI 0x41
#define VEC_PING 0x50
#define VEC_PONG 0x51
#define VEC_WAKE 0x52

static inline u32 lapic_rd(u32 off) { return *(volatile u32 *)(LAPIC + off); }
static inline void lapic_wr(u32 off, u32 v) { *(volatile u32 *)(LAPIC + off) = v; }
static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}
static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}
static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((u64)hi << 32) | lo;
}
static inline void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}
static inline void pause(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
/* interrupts on and wait for one (STI's shadow makes the pair atomic) */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

/* Per-CPU (APIC ID = index) state. */
static volatile int x2[NR_CPUS];		/* this CPU's LAPIC is in x2APIC mode */
static volatile u32 ap_ready[NR_CPUS];
static volatile u32 ap_mode[NR_CPUS];	/* what an AP does: AP_* */
static volatile u32 ap_mode_seen[NR_CPUS];
#define AP_HLT 1	/* wait in STI;HLT */
#define AP_SPIN 2	/* poll with interrupts enabled */
#define AP_X2APIC 3	/* switch to x2APIC, then HLT */

static volatile u32 pongs;		/* on vcpu0: replies received */
static volatile u64 t_pong;		/* TSC at vcpu0's reply handler */
static volatile u32 timer_irqs;
static volatile u64 t_timer;
static volatile u64 t_eoi;		/* instructions of the last timed EOI */
static volatile u32 eoi_irqs;

static u8 ap_stacks[NR_CPUS][4096] __attribute__((aligned(16)));

/* This CPU's APIC ID = VCPU index, from the stack it runs on (no exit). */
static u32 cpu_id(void)
{
	u32 sp = (u32)(uintptr_t)__builtin_frame_address(0);

	for (u32 i = 1; i < NR_CPUS; i++)
		if (sp >= (u32)(uintptr_t)ap_stacks[i] && sp < (u32)(uintptr_t)ap_stacks[i] + 4096)
			return i;
	return 0;
}

/* Fixed IPI, physical destination, from the current CPU in its mode. */
static void send_ipi(u32 self, u32 dest, u8 vector)
{
	if (x2[self]) {
		wrmsr(0x830, ((u64)dest << 32) | vector);
	} else {
		lapic_wr(0x310, dest << 24);
		lapic_wr(0x300, vector);
	}
}

static void eoi(u32 self)
{
	if (x2[self])
		wrmsr(0x80B, 0);
	else
		lapic_wr(0xB0, 0);
}

/* Interrupt handlers (the IDT is shared by every CPU). */
void ping_isr_c(void)
{
	u32 self = cpu_id();

	send_ipi(self, 0, VEC_PONG);
	eoi(self);
}
void pong_isr_c(void)
{
	t_pong = rdtsc();
	pongs++;
	eoi(0);
}
void timer_isr_c(void)
{
	t_timer = rdtsc();
	timer_irqs++;
	eoi(0);
}
void eoi_isr_c(void)
{
	u64 t0, t1;

	if (x2[0]) {
		t0 = rdtsc();
		wrmsr(0x80B, 0);
		t1 = rdtsc();
	} else {
		t0 = rdtsc();
		lapic_wr(0xB0, 0);
		t1 = rdtsc();
	}
	t_eoi = t1 - t0;
	eoi_irqs++;
}
void wake_isr_c(void) { eoi(cpu_id()); }

#define ISR(name) \
	__asm__(".globl " #name "\n " #name ": pusha; cld; call " #name "_c; popa; iret\n"); \
	void name(void)
ISR(ping_isr);
ISR(pong_isr);
ISR(timer_isr);
ISR(eoi_isr);
ISR(wake_isr);

static u64 idt[256];
/* code 0x10, data 0x18: the selectors the Multiboot loader's segments have */
static const u64 gdt[4] = { 0, 0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull };
static struct { u16 limit; u32 base; } __attribute__((packed)) idtr, gdtr;

static void idt_set(u8 vec, void (*fn)(void))
{
	u32 a = (u32)(uintptr_t)fn;

	idt[vec] = (a & 0xFFFF) | ((u64)0x10 << 16) | ((u64)0x8E00 << 32) | ((u64)(a >> 16) << 48);
}

static void lapic_setup(u32 self)
{
	(void)self;
	lapic_wr(0xF0, 0x1FF);		/* SVR: enabled, spurious 0xFF */
	lapic_wr(0x80, 0);		/* TPR 0 */
}

/*
 * The AP trampoline, copied to TRAMPOLINE: real mode, load the GDT through
 * the GDTR at TRAMP_GDTR, protected mode, far jump to ap_entry32.
 */
__asm__(".section .text\n"
	".code16\n"
	".globl ap_tramp, ap_tramp_end\n"
	"ap_tramp:\n"
	"  cli\n"
	"  xorw %ax, %ax\n"
	"  movw %ax, %ds\n"
	"  lgdtl 0x7F00\n"
	"  movl %cr0, %eax\n"
	"  orl $1, %eax\n"
	"  movl %eax, %cr0\n"
	"  ljmpl $0x10, $ap_entry32\n"
	"ap_tramp_end:\n"
	".code32\n"
	"ap_entry32:\n"
	"  movw $0x18, %ax\n"
	"  movw %ax, %ds\n"
	"  movw %ax, %es\n"
	"  movw %ax, %ss\n"
	"  movw %ax, %fs\n"
	"  movw %ax, %gs\n"
	"  movl ap_stack_top, %esp\n"
	"  call ap_main\n"
	"1: cli\n"
	"  hlt\n"
	"  jmp 1b\n");
extern const u8 ap_tramp[], ap_tramp_end[];
u32 ap_stack_top;

void ap_main(void)
{
	u32 self = cpu_id();

	__asm__ volatile("lidt %0" : : "m"(idtr));
	lapic_setup(self);
	ap_ready[self] = 1;
	for (;;) {
		u32 m;

		cli();
		m = ap_mode[self];
		if (m == AP_X2APIC && !x2[self]) {
			wrmsr(0x1B, rdmsr(0x1B) | (1u << 10));
			x2[self] = 1;
		}
		ap_mode_seen[self] = m;
		if (m == AP_SPIN) {
			sti();
			while (ap_mode[self] == AP_SPIN)
				pause();
		} else {
			sti_hlt();
		}
	}
}

static void spin(u32 n)
{
	for (volatile u32 i = 0; i < n; i++)
		;
}

static int start_ap(u32 id)
{
	ap_stack_top = (u32)(uintptr_t)&ap_stacks[id][4096];
	lapic_wr(0x310, id << 24);
	lapic_wr(0x300, 0x4500);				/* INIT, assert */
	spin(10000);
	lapic_wr(0x300, 0x4600 | (TRAMPOLINE >> 12));	/* SIPI */
	spin(1000);
	lapic_wr(0x300, 0x4600 | (TRAMPOLINE >> 12));	/* SIPI again */
	for (u32 i = 0; i < 2000 && !ap_ready[id]; i++)
		spin(10000);
	return t_check(ap_ready[id], "apicbench-ap-start", "AP %u did not report", id);
}

/* Tell an AP what to do and wait until it has seen it (a wake IPI ends its HLT). */
static void ap_set_mode(u32 id, u32 mode)
{
	ap_mode[id] = mode;
	send_ipi(0, id, VEC_WAKE);
	for (u32 i = 0; i < 100000 && ap_mode_seen[id] != mode; i++)
		pause();
}

struct stat {
	u64 sum, min;
	u32 n;
};

static void stat_add(struct stat *s, u64 v)
{
	if (!s->n || v < s->min)
		s->min = v;
	s->sum += v;
	s->n++;
}

static void report(const char *name, const struct stat *s)
{
	if (!s->n) {
		t_fail(name, "no measurement");
		return;
	}
	/* 32-bit division: no libgcc (the figures are far below 2^32 / BENCH_ITERS) */
	t_printf("apic %s %u %u\n", name, (u32)s->sum / s->n, (u32)s->min);
}

/* IPI round trips vcpu0 -> dest -> vcpu0; vcpu0 waits in HLT or polls. */
static void bench_ipi(const char *name, u32 dest, int hlt)
{
	struct stat s = { 0 };

	for (u32 i = 0; i < BENCH_ITERS + WARMUP; i++) {
		u32 before = pongs, n = 0;
		u64 t0;

		cli();
		t0 = rdtsc();
		send_ipi(0, dest, VEC_PING);
		if (hlt) {
			while (pongs == before && n++ < 1000000) {
				sti_hlt();
				cli();
			}
			sti();
		} else {
			sti();
			while (pongs == before && n++ < 10000000)
				pause();
		}
		if (pongs == before) {
			t_fail(name, "no reply (iteration %u)", i);
			return;
		}
		if (i >= WARMUP)
			stat_add(&s, t_pong - t0);
	}
	report(name, &s);
}

static void bench_timer(const char *name, int deadline)
{
	struct stat s = { 0 };

	lapic_wr(0x3E0, 0xB);					/* divide by 1 */
	lapic_wr(0x320, VEC_TIMER | (deadline ? 2u << 17 : 0));	/* one-shot / TSC-deadline */
	for (u32 i = 0; i < BENCH_ITERS + WARMUP; i++) {
		u32 before = timer_irqs;
		u64 t0;

		/* the hypervisor fires a VCPU's timer event no sooner than
		 * VMM_TIMER_MIN_PERIOD_NS (200 us) after its previous firing:
		 * start each run well after that, so the figure is the path */
		while (timer_irqs && rdtsc() - t_timer < TIMER_GAP)
			pause();
		sti();
		t0 = rdtsc();
		if (deadline)
			wrmsr(0x6E0, 1);
		else
			lapic_wr(0x380, 1);
		for (u32 n = 0; timer_irqs == before && n < 10000000; n++)
			pause();
		if (timer_irqs == before) {
			t_fail(name, "no timer interrupt (iteration %u)", i);
			break;
		}
		if (i >= WARMUP)
			stat_add(&s, t_timer - t0);
	}
	lapic_wr(0x320, 0x10000);
	report(name, &s);
}

static void bench_eoi(const char *name)
{
	struct stat s = { 0 };

	sti();
	for (u32 i = 0; i < BENCH_ITERS + WARMUP; i++) {
		u32 before = eoi_irqs;

		if (x2[0])
			wrmsr(0x83F, VEC_EOI);			/* SELF IPI */
		else
			lapic_wr(0x300, VEC_EOI | (1u << 18));	/* self shorthand */
		for (u32 n = 0; eoi_irqs == before && n < 1000000; n++)
			pause();
		if (eoi_irqs == before) {
			t_fail(name, "no self-IPI (iteration %u)", i);
			break;
		}
		if (i >= WARMUP)
			stat_add(&s, t_eoi);
	}
	report(name, &s);
}

static void bench_ipis(const char *suffix)
{
	char n1[32], n2[32], n3[32];
	const char *names[3] = { "ipi_same_hlt", "ipi_cross_spin", "ipi_cross_hlt" };
	char *out[3] = { n1, n2, n3 };

	for (int k = 0; k < 3; k++) {
		u32 l = 0;

		for (const char *p = names[k]; *p; p++)
			out[k][l++] = *p;
		for (const char *p = suffix; *p; p++)
			out[k][l++] = *p;
		out[k][l] = 0;
	}
	bench_ipi(n1, 1, 1);		/* vcpu1: same host CPU, in HLT */
	ap_set_mode(2, AP_SPIN);
	bench_ipi(n2, 2, 0);		/* vcpu2: other host CPU, polling */
	ap_set_mode(2, AP_HLT);
	bench_ipi(n3, 2, 1);		/* vcpu2: other host CPU, in HLT */
}

int t_main(u32 magic, const struct mb_info *info)
{
	u32 a, b, c, d;
	u64 t0, t1;

	(void)magic;
	(void)info;
	gdtr.limit = sizeof(gdt) - 1;
	gdtr.base = (u32)(uintptr_t)gdt;
	__asm__ volatile("lgdt %0" : : "m"(gdtr));
	idt_set(VEC_TIMER, timer_isr);
	idt_set(VEC_EOI, eoi_isr);
	idt_set(VEC_PING, ping_isr);
	idt_set(VEC_PONG, pong_isr);
	idt_set(VEC_WAKE, wake_isr);
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (u32)(uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(idtr));
	lapic_setup(0);
	lapic_wr(0x350, 0x10000);	/* LINT0 masked: no PIC */

	/* the APs: trampoline and its GDTR below 1 MiB */
	for (u32 i = 0; i < (u32)(ap_tramp_end - ap_tramp); i++)
		((volatile u8 *)TRAMPOLINE)[i] = ap_tramp[i];
	*(volatile u16 *)TRAMP_GDTR = gdtr.limit;
	*(volatile u32 *)(TRAMP_GDTR + 2) = gdtr.base;
	for (u32 id = 1; id < NR_CPUS; id++)
		if (!start_ap(id))
			return t_failures;
	ap_set_mode(1, AP_HLT);
	ap_set_mode(2, AP_HLT);

	t0 = rdtsc();
	t1 = rdtsc();
	t_printf("apic rdtsc_pair %u %u\n", (u32)(t1 - t0), (u32)(t1 - t0));

	/* xAPIC */
	bench_ipis("");
	bench_timer("timer_oneshot", 0);
	cpuid(1, &a, &b, &c, &d);
	if (c & (1u << 24))
		bench_timer("timer_deadline", 1);
	else
		t_printf("apic timer_deadline n/a: CPUID.1:ECX[24] clear\n");
	bench_eoi("eoi_mmio");

	/* x2APIC on every CPU */
	if (c & (1u << 21)) {
		cli();
		wrmsr(0x1B, rdmsr(0x1B) | (1u << 10));
		x2[0] = 1;
		sti();
		ap_mode[1] = AP_X2APIC;
		ap_mode[2] = AP_X2APIC;
		send_ipi(0, 1, VEC_WAKE);
		send_ipi(0, 2, VEC_WAKE);
		for (u32 i = 0; i < 100000 && !(x2[1] && x2[2] && ap_mode_seen[1] == AP_X2APIC &&
						ap_mode_seen[2] == AP_X2APIC); i++)
			pause();
		t_check(x2[1] && x2[2], "apicbench-x2apic", "APs in x2APIC mode: %d %d", x2[1], x2[2]);
		ap_mode[1] = ap_mode[2] = AP_HLT;
		bench_ipis("_x2");
		bench_eoi("eoi_msr");
	} else {
		t_printf("apic x2apic n/a: CPUID.1:ECX[21] clear\n");
	}
	t_printf("apic done %d failures\n", t_failures);
	return t_failures;
}
