/*
 * kernel/main.c - the generic init sequence: command-line options, the boot
 * banner, the virtualization verdict, the other host CPUs (maxcpus=), the
 * test hooks (testfault=, testsignal=), the boot commands in their own
 * thread, then CPU0's idle loop.
 */
#include <string.h>
#include <stdlib.h>
#include "kernel/main.h"
#include "kernel/arch_console.h"
#include "kernel/printk.h"
#include "kernel/panic.h"
#include "kernel/error.h"
#include "kernel/version.h"
#include "kernel/cmdline.h"
#include "kernel/cmd.h"
#include "kernel/heap.h"
#include "kernel/host_mem.h"
#include "kernel/arch_cpu.h"
#include "kernel/arch_info.h"
#include "kernel/arch_test.h"
#include "kernel/config.h"
#include "kernel/manager.h"
#include "kernel/scheduler.h"
#include "kernel/boot_info.h"
#include "kernel/threads.h"
#include "kernel/term.h"

/* Every option the kernel understands; anything else is reported. */
static const char *const known_options[] = {
	"loglevel", "bootcmd", "on_panic", "testfault", "dtb", "maxcpus", "testsignal", "testept",
	"x2apic", "tsc_calibrate", "screen",
};

static void check_option(const char *key, size_t keylen, void *user __unused)
{
	for (size_t i = 0; i < ARRAY_SIZE(known_options); i++)
		if (strlen(known_options[i]) == keylen && !strncmp(known_options[i], key, keylen))
			return;
	vmm_warn("cmdline: unknown option '%.*s' ignored\n", (int)keylen, key);
}

void vmm_print_version(void)
{
	vmm_info("\n%s %s (%s) - type-1 hypervisor for x86-64 with Intel VT-x\n",
		 VMM_NAME, VMM_VERSION, VMM_BUILD_ID);
}

void vmm_main_early_cmdline(const struct vmm_boot_info *bi)
{
	char val[16];

	if (vmm_cmdline_get(bi->cmdline, "loglevel", val, sizeof(val)) >= 0) {
		char *end;
		unsigned long lvl = strtoul(val, &end, 10);

		if (*end || end == val || lvl > VMM_LOG_DEBUG)
			vmm_warn("cmdline: loglevel=%s is not 0..7; keeping %d\n", val,
				 vmm_printk_get_level());
		else
			vmm_printk_set_level((int)lvl);
	}
	if (vmm_cmdline_get(bi->cmdline, "on_panic", val, sizeof(val)) >= 0) {
		if (!strcmp(val, "poweroff"))
			vmm_panic_set_poweroff(true);
		else if (strcmp(val, "halt"))
			vmm_warn("cmdline: on_panic=%s is not 'halt' or 'poweroff'\n", val);
	}
}

static void print_banner(const struct vmm_boot_info *bi)
{
	char cpu[160];
	u64 usable = 0, other = 0;
	struct vmm_buddy *b = vmm_host_buddy();

	vmm_info("boot: loader \"%s\" (%s), firmware %s\n", bi->loader,
		 bi->protocol == 2 ? "Multiboot2" : "Multiboot",
		 vmm_boot_firmware_name(bi));
	if (bi->fb.kind == VMM_FB_EGA_TEXT)
		vmm_info("boot: screen VGA text %ux%u at 0x%llx\n", bi->fb.width,
			 bi->fb.height, (unsigned long long)bi->fb.addr);
	else if (bi->fb.kind != VMM_FB_NONE)
		vmm_info("boot: screen framebuffer %ux%ux%u at 0x%llx, pitch %u\n",
			 bi->fb.width, bi->fb.height, bi->fb.bpp,
			 (unsigned long long)bi->fb.addr, bi->fb.pitch);
	vmm_info("boot: cmdline \"%s\"\n", bi->cmdline);
	arch_cpu_describe(cpu, sizeof(cpu));
	vmm_info("cpu: %s\n", cpu);
	for (u32 i = 0; i < bi->nr_mem; i++) {
		const struct vmm_mem_range *m = &bi->mem[i];

		vmm_debug("mem: 0x%012llx-0x%012llx %s\n", (unsigned long long)m->base,
			  (unsigned long long)(m->base + m->length - 1), vmm_mem_type_name(m->type));
		if (m->type == VMM_MEM_USABLE)
			usable += m->length;
		else
			other += m->length;
	}
	vmm_info("mem: usable %llu KiB (%llu MiB), reserved %llu KiB, %u ranges; hypervisor allocator %llu KiB free\n",
		 (unsigned long long)(usable / KiB), (unsigned long long)(usable / MiB),
		 (unsigned long long)(other / KiB), bi->nr_mem,
		 (unsigned long long)(b->free_pages * PAGE_SIZE / KiB));
	if (!bi->nr_modules)
		vmm_info("boot: no modules\n");
	for (u32 i = 0; i < bi->nr_modules; i++)
		vmm_info("module: \"%s\" %llu bytes at 0x%llx\n", bi->modules[i].name,
			 (unsigned long long)(bi->modules[i].end - bi->modules[i].start),
			 (unsigned long long)bi->modules[i].start);
	if (bi->nr_problems)
		vmm_warn("boot: %u malformed item(s) in the boot information were refused\n",
			 bi->nr_problems);
}

/* Instantiate every accepted guest (its VCPUs wait in RESET for a kick). */
static void create_guests(bool virt)
{
	const struct vmm_config *cfg = vmm_config();

	if (!cfg->nr_guests)
		return;
	if (!virt) {
		vmm_warn("manager: hardware virtualization is not available: %u guest%s not created\n",
			 cfg->nr_guests, cfg->nr_guests == 1 ? "" : "s");
		return;
	}
	for (u32 i = 0; i < cfg->nr_guests; i++) {
		struct vmm_guest *g;

		if (!vmm_manager_guest_create(&cfg->guests[i], &g))
			vmm_info("manager: guest %s created (%u VCPU%s, state RESET)\n", g->name,
				 g->nr_vcpus, g->nr_vcpus == 1 ? "" : "s");
	}
}

/* maxcpus=N (N >= 1): how many host CPUs to start; 0 = all. */
static u32 cmdline_maxcpus(const char *cmdline)
{
	char val[16], *end;
	unsigned long n;

	if (vmm_cmdline_get(cmdline, "maxcpus", val, sizeof(val)) < 0)
		return 0;
	n = strtoul(val, &end, 10);
	if (*end || end == val || n < 1 || n > 4096) {
		vmm_warn("cmdline: maxcpus=%s is not a number of CPUs (1 or more); starting all\n", val);
		return 0;
	}
	return (u32)n;
}

/* The boot commands: bootcmd= of the command line, else every string of
 * /vmm bootcmd, in order. */
static char bootcmd_line[VMM_BOOT_CMDLINE_MAX];
static bool bootcmd_from_cmdline;

/* The boot is complete: say so, then give the console to the terminal. */
static void boot_ready(void)
{
	const char *advice = arch_virt_advice();
	int rc;

	/* the probe's advice again, where a user looks when the boot ends */
	if (advice)
		vmm_warn("%s\n", advice);
	vmm_info("%s: ready\n", VMM_NAME);
	rc = vmm_term_start();
	if (rc)
		vmm_err("term: cannot start the terminal thread (%s)\n", vmm_strerror(rc));
}

static int bootcmd_thread(void *arg)
{
	int rc = VMM_OK;

	(void)arg;
	if (bootcmd_from_cmdline) {
		rc = vmm_cmd_exec_script("bootcmd", bootcmd_line);
	} else {
		for (u32 i = 0; i < vmm_config()->vmm.nr_bootcmds; i++) {
			int r = vmm_cmd_exec_script("bootcmd", vmm_config()->vmm.bootcmds[i]);

			if (r)
				rc = r;
		}
	}
	/* the boot is complete when its commands are */
	boot_ready();
	return rc;
}

/*
 * Run the boot commands in a thread of their own, which says "ready" when
 * they are done (at once when there are none).
 */
static void start_bootcmd(const char *cmdline)
{
	struct vmm_thread *t;

	bootcmd_from_cmdline = vmm_cmdline_get(cmdline, "bootcmd", bootcmd_line,
					       sizeof(bootcmd_line)) >= 0;
	if (!bootcmd_from_cmdline && !vmm_config()->vmm.nr_bootcmds) {
		boot_ready();
		return;
	}
	/* on the boot CPU, as the console's terminal will be */
	t = vmm_thread_create("bootcmd", bootcmd_thread, NULL, VMM_THREAD_DEF_PRIORITY, 0, 1ULL << 0);
	if (!t || vmm_thread_start(t)) {
		vmm_err("bootcmd: cannot start its thread; boot commands not run\n");
		boot_ready();
	}
}

void vmm_main(const struct vmm_boot_info *bi)
{
	char val[VMM_BOOT_CMDLINE_MAX];
	bool virt;

	vmm_heap_setup();
	vmm_boot_info_set(bi);
	print_banner(bi);
	vmm_cmdline_foreach(bi->cmdline, check_option, NULL);
	virt = arch_virt_probe() && arch_virt_init() == VMM_OK;
	/* from here this code is CPU0's idle orphan VCPU; each AP makes its own */
	if (vmm_scheduler_init_cpu())
		vmm_panic("scheduler: cannot create the idle VCPU\n");
	arch_smp_init(cmdline_maxcpus(bi->cmdline));
	if (vmm_manager_init())
		vmm_panic("manager: cannot start the manager thread\n");
	vmm_config_load(bi);
	create_guests(virt);

	if (vmm_cmdline_get(bi->cmdline, "testfault", val, sizeof(val)) >= 0) {
		vmm_info("testfault: raising '%s'\n", val);
		if (arch_test_fault(val) == -VMM_EINVALID)
			vmm_err("testfault: unknown kind '%s' (pf null ud gp de bp stack)\n", val);
	}
	if (vmm_cmdline_get(bi->cmdline, "testsignal", val, sizeof(val)) >= 0)
		arch_test_signal(val);
	/* guests' console lines no longer wait for the UART in their exits */
	if (arch_console_tx_start())
		vmm_info("console: output stays polled (no UART interrupt)\n");
	start_bootcmd(bi->cmdline);
	/* this is CPU0's idle orphan VCPU: it only idles */
	vmm_scheduler_idle_loop();
}
