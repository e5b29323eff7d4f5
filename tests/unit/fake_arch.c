/*
 * tests/unit/fake_arch.c - the kernel/arch_*.h contracts for the host, so
 * the kernel/ sources can be unit-tested under the host libc: the console is a
 * capture buffer, the interrupt flag a variable, and stopping the CPU or
 * powering off longjmp()s back to the test (or aborts visibly).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/fake_arch.h"
#include "kernel/types.h"
#include "kernel/error.h"
#include "kernel/arch_console.h"
#include "kernel/arch_cpu.h"
#include "kernel/arch_timer.h"
#include "kernel/arch_debug.h"
#include "kernel/arch_info.h"
#include "kernel/arch_test.h"

/* cmocka reports on stdout, failures on stderr: keep both in order. */
__attribute__((constructor)) static void fake_unbuffer_stdout(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
}

/* ---- console ---- */

static char *con_buf;
static size_t con_len, con_cap;
static const char *con_input;

void arch_console_write(const char *s, size_t n)
{
	if (con_len + n + 1 > con_cap) {
		size_t cap = con_cap ? con_cap : 4096;

		while (con_len + n + 1 > cap)
			cap *= 2;
		con_buf = realloc(con_buf, cap);
		if (!con_buf) {
			fprintf(stderr, "fake_arch: out of memory for the console capture\n");
			abort();
		}
		con_cap = cap;
	}
	memcpy(con_buf + con_len, s, n);
	con_len += n;
	con_buf[con_len] = 0;
	/* keep the kernel's messages visible in the test log */
	if (getenv("UNIT_ECHO_CONSOLE"))
		fwrite(s, 1, n, stdout);
}

void arch_console_flush(void)
{
}

void arch_console_sync(void)
{
}

int arch_console_tx_start(void)
{
	return -VMM_ENOTAVAIL;
}

int arch_console_getc(void)
{
	if (con_input && *con_input)
		return (unsigned char)*con_input++;
	return -1;
}

int arch_console_rx_start(void (*notify)(void *data), void *data)
{
	(void)notify; (void)data;
	return -VMM_ENOTAVAIL;	/* the fake console is polled */
}

void arch_console_rx_stats(u64 *received, u64 *lost, bool *irq)
{
	*received = *lost = 0;
	*irq = false;
}

void arch_console_describe(char *buf, size_t size)
{
	snprintf(buf, size, "fake console (host unit test)");
}

const char *fake_console_text(void)
{
	return con_buf ? con_buf : "";
}

size_t fake_console_len(void)
{
	return con_len;
}

void fake_console_reset(void)
{
	con_len = 0;
	if (con_buf)
		con_buf[0] = 0;
}

bool fake_console_contains(const char *needle)
{
	return strstr(fake_console_text(), needle) != NULL;
}

int fake_console_count(const char *needle)
{
	const char *p = fake_console_text();
	size_t n = strlen(needle);
	int count = 0;

	if (!n)
		return 0;
	while ((p = strstr(p, needle))) {
		count++;
		p += n;
	}
	return count;
}

void fake_console_set_input(const char *s)
{
	con_input = s;
}

/* ---- CPU ---- */

static __thread bool irq_on = true;
static unsigned long relax_spins;
void (*fake_relax_hook)(void);

unsigned long arch_cpu_irq_save(void)
{
	unsigned long flags = irq_on;

	irq_on = false;
	return flags;
}

void arch_cpu_irq_restore(unsigned long flags)
{
	irq_on = flags != 0;
}

void arch_cpu_irq_enable(void)
{
	irq_on = true;
}

bool fake_irq_enabled(void)
{
	return irq_on;
}

void arch_cpu_relax(void)
{
	/* what the other CPUs do meanwhile (a test that plays them) */
	if (fake_relax_hook)
		fake_relax_hook();
	/* single-threaded tests: spinning means a lock was never released */
	if (++relax_spins >= FAKE_RELAX_LIMIT) {
		fprintf(stderr, "fake_arch: arch_cpu_relax() called %lu times: "
			"a spinlock is held forever (deadlock)\n", relax_spins);
		abort();
	}
}

bool arch_cpu_irq_enabled(void)
{
	return irq_on;
}

int fake_wait_for_irq_calls;
bool fake_wait_for_irq_irq_was_on;

void arch_cpu_wait_for_irq(void)
{
	/* STI;HLT: what the CPU saw just before the STI */
	fake_wait_for_irq_calls++;
	fake_wait_for_irq_irq_was_on = irq_on;
	irq_on = true;
}

__thread unsigned int fake_cpu_id;
unsigned int fake_cpus_online = 1;
int fake_kicks[ARCH_CPU_MAX];

unsigned int arch_cpu_id(void)
{
	return fake_cpu_id;
}

bool arch_cpu_online(unsigned int cpu)
{
	return cpu < fake_cpus_online;
}

void arch_cpu_kick(unsigned int cpu)
{
	if (cpu < ARCH_CPU_MAX && cpu != fake_cpu_id)
		fake_kicks[cpu]++;
}

unsigned int fake_nr_host_cpus = 1;
unsigned int fake_host_cpu_ids[64];
bool fake_host_cpu_online[64] = { true };

u32 arch_host_cpus(struct arch_host_cpu *out, u32 max)
{
	u32 n = fake_nr_host_cpus < max ? fake_nr_host_cpus : max;

	for (u32 i = 0; i < n && i < 64; i++) {
		out[i].hw_id = fake_host_cpu_ids[i];
		out[i].online = fake_host_cpu_online[i];
	}
	return n;
}

jmp_buf *fake_stop_jmp;
int fake_power_off_calls;
int fake_cpu_stop_calls;

static void __attribute__((noreturn)) fake_stop(const char *what)
{
	if (fake_stop_jmp)
		longjmp(*fake_stop_jmp, 1);
	fprintf(stderr, "fake_arch: %s() called with no test expecting it; aborting\n", what);
	abort();
}

void arch_cpu_stop(void)
{
	fake_cpu_stop_calls++;
	irq_on = false;
	fake_stop("arch_cpu_stop");
}

unsigned int fake_smp_maxcpus = ~0u;
int fake_stop_others_calls;
char fake_test_signal_list[64];

void arch_smp_init(u32 maxcpus)
{
	fake_smp_maxcpus = maxcpus;
}

void arch_cpu_stop_others(void)
{
	fake_stop_others_calls++;
}

int arch_test_signal(const char *list)
{
	snprintf(fake_test_signal_list, sizeof(fake_test_signal_list), "%s", list);
	return 0;
}

void arch_power_off(void)
{
	fake_power_off_calls++;
	fake_stop("arch_power_off");
}

/* ---- descriptions, probes, debugging ---- */

bool fake_virt_supported;
int fake_virt_probe_calls;
char fake_test_fault_kind[16];

int fake_reboot_calls;
unsigned long long fake_guest_ns[8];
unsigned long long fake_now_ns;

void arch_reboot(void)
{
	fake_reboot_calls++;
	fake_stop("arch_reboot");
}

u64 arch_cpu_guest_ns(unsigned int cpu)
{
	return cpu < 8 ? fake_guest_ns[cpu] : 0;
}

/* weak: sched_fixture.h, devemu_fixture.h and some tests bring their own clock */
__attribute__((weak)) u64 arch_timer_now_ns(void)
{
	return fake_now_ns;
}

void arch_cpu_describe(char *buf, size_t size)
{
	snprintf(buf, size, "FakeVendor fake CPU (host unit test)");
}

bool arch_virt_probe(void)
{
	fake_virt_probe_calls++;
	return fake_virt_supported;
}

const char *arch_virt_advice(void)
{
	return fake_virt_supported ? NULL : "vmx: fake: no hardware virtualization";
}

int arch_test_fault(const char *kind)
{
	static const char *const kinds[] = { "pf", "null", "ud", "gp", "de", "bp", "stack" };

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (!strcmp(kind, kinds[i])) {
			snprintf(fake_test_fault_kind, sizeof(fake_test_fault_kind), "%s", kind);
			return VMM_OK;
		}
	}
	return -VMM_EINVALID;
}

void arch_dump_current(void)
{
	static const char dump[] = "fake register dump\n";

	arch_console_write(dump, sizeof(dump) - 1);
}

const char *arch_symbol_lookup(unsigned long addr, unsigned long *offset)
{
	(void)addr;
	if (offset)
		*offset = 0;
	return NULL;
}

void fake_arch_reset(void)
{
	fake_console_reset();
	con_input = NULL;
	irq_on = true;
	relax_spins = 0;
	fake_stop_jmp = NULL;
	fake_power_off_calls = 0;
	fake_reboot_calls = 0;
	memset(fake_guest_ns, 0, sizeof(fake_guest_ns));
	fake_now_ns = 0;
	fake_cpu_stop_calls = 0;
	fake_wait_for_irq_calls = 0;
	fake_wait_for_irq_irq_was_on = false;
	fake_virt_supported = false;
	fake_virt_probe_calls = 0;
	fake_test_fault_kind[0] = 0;
	fake_cpu_id = 0;
	fake_relax_hook = NULL;
	memset(fake_kicks, 0, sizeof(fake_kicks));
	fake_nr_host_cpus = 1;
	memset(fake_host_cpu_ids, 0, sizeof(fake_host_cpu_ids));
	memset(fake_host_cpu_online, 0, sizeof(fake_host_cpu_online));
	fake_host_cpu_online[0] = true;
}

/* ---- host libc gaps ---- */

#ifdef UNIT_NEED_STRLCPY
size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = 0;
	}
	return len;
}
#endif
