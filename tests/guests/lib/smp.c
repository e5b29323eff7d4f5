/*
 * tests/guests/lib/smp.c - CPU list, AP start and cross-CPU calls of the
 * C test guests (smp.h).
 */
#include "smp.h"
#include "apic.h"
#include "cpu.h"
#include "time.h"

int t_ncpus;
struct t_cpu t_cpus[T_MAX_CPUS];
u32 t_ap_stack;			/* the stack the starting AP takes (trampoline.S) */
static volatile int starting = -1;
static u8 ap_stacks[T_MAX_CPUS][T_AP_STACK] __attribute__((aligned(16)));
extern const u8 t_tramp_start[], t_tramp_end[], t_tramp_gdt[];

int t_smp_init(void)
{
	u32 me = t_lapic_id();

	t_ncpus = 1;
	t_cpus[0].apic_id = me;
	t_cpus[0].online = 1;
	t_cpus[0].seen_id = me;
	for (int i = 0; i < t_acpi.ncpus && t_ncpus < T_MAX_CPUS; i++)
		if (t_acpi.cpus[i].enabled && t_acpi.cpus[i].apic_id != me)
			t_cpus[t_ncpus++].apic_id = t_acpi.cpus[i].apic_id;
	return t_ncpus;
}

int t_cpu_index(void)
{
	u32 id = t_lapic_id();

	for (int i = 0; i < t_ncpus; i++)
		if (t_cpus[i].apic_id == id)
			return i;
	return -1;
}

static void kick(struct t_frame *f)
{
	(void)f;
	t_lapic_eoi();
}

void t_ap_main(void);
void t_ap_main(void)
{
	struct t_cpu *c;

	t_cpu_setup();
	t_lapic_init();
	c = &t_cpus[starting];
	c->seen_id = t_lapic_id();
	c->online = 1;
	for (;;) {
		t_work_fn fn;

		t_cli();
		fn = c->work;
		if (fn) {
			t_sti();
			fn(c->arg);
			t_barrier();
			c->work = NULL;
			continue;
		}
		t_sti_hlt();
	}
}

/* Poll flag for up to us microseconds. */
static int wait_flag(volatile int *flag, u32 us)
{
	for (u32 i = 0; i < us / 100 && !*flag; i++)
		t_delay_us(100);
	return *flag ? 0 : -1;
}

int t_smp_start(int i)
{
	struct t_cpu *c = &t_cpus[i];
	u8 *tramp = (u8 *)(uintptr_t)T_TRAMP_ADDR;
	u32 n = (u32)(t_tramp_end - t_tramp_start);

	if (i <= 0 || i >= t_ncpus)
		return -1;
	for (u32 k = 0; k < n; k++)
		tramp[k] = t_tramp_start[k];
	for (int k = 0; k < 6; k++)
		tramp[(t_tramp_gdt - t_tramp_start) + k] = t_gdt_desc[k];
	t_irq_set(T_KICK_VECTOR, kick);
	t_ap_stack = (u32)(uintptr_t)&ap_stacks[i][T_AP_STACK];
	starting = i;
	t_barrier();
	t_lapic_write(LAPIC_ESR, 0);
	t_lapic_ipi(c->apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
	t_delay_us(10000);
	t_lapic_ipi(c->apic_id, ICR_SIPI | (T_TRAMP_ADDR >> 12));
	t_delay_us(200);
	if (!c->online)
		t_lapic_ipi(c->apic_id, ICR_SIPI | (T_TRAMP_ADDR >> 12));
	return wait_flag(&c->online, 1000000);
}

int t_smp_start_all(void)
{
	int n = 0;

	for (int i = 1; i < t_ncpus; i++)
		if (!t_smp_start(i))
			n++;
	return n;
}

int t_smp_wait(int i)
{
	for (u32 k = 0; k < 20000 && t_cpus[i].work; k++)
		t_delay_us(100);
	return t_cpus[i].work ? -1 : 0;
}

int t_smp_call(int i, t_work_fn fn, void *arg, int wait)
{
	if (i < 0 || i >= t_ncpus || !t_cpus[i].online)
		return -1;
	if (i == t_cpu_index()) {
		fn(arg);
		return 0;
	}
	if (t_smp_wait(i))
		return -1;
	t_cpus[i].arg = arg;
	t_barrier();
	t_cpus[i].work = fn;
	t_lapic_ipi(t_cpus[i].apic_id, ICR_FIXED | T_KICK_VECTOR);
	return wait ? t_smp_wait(i) : 0;
}
