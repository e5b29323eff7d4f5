/*
 * kernel/printk.h - formatted output and the console log levels.
 *
 * vmm_printk() filters by level against the boot-time `loglevel=` and writes
 * through the arch console contract (kernel/arch_console.h).
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include "kernel/types.h"

enum vmm_log_level {
	VMM_LOG_EMERG = 0,
	VMM_LOG_ALERT = 1,
	VMM_LOG_CRIT = 2,
	VMM_LOG_ERR = 3,
	VMM_LOG_WARNING = 4,
	VMM_LOG_NOTICE = 5,
	VMM_LOG_INFO = 6,
	VMM_LOG_DEBUG = 7,
};

#define VMM_LOG_DEFAULT VMM_LOG_INFO

int vmm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int vmm_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Print at a level; returns the number of characters written (0 if filtered). */
int vmm_printk(int level, const char *fmt, ...) __printf(2, 3);
int vmm_vprintk(int level, const char *fmt, va_list ap);

void vmm_printk_set_level(int level);
/* Panic: the other CPUs are stopped (one may hold the console lock);
 * from now on printing takes no lock. */
void vmm_printk_break_lock(void);
int vmm_printk_get_level(void);

#define vmm_emerg(...) vmm_printk(VMM_LOG_EMERG, __VA_ARGS__)
#define vmm_err(...) vmm_printk(VMM_LOG_ERR, __VA_ARGS__)
#define vmm_warn(...) vmm_printk(VMM_LOG_WARNING, __VA_ARGS__)
#define vmm_notice(...) vmm_printk(VMM_LOG_NOTICE, __VA_ARGS__)
#define vmm_info(...) vmm_printk(VMM_LOG_INFO, __VA_ARGS__)
#define vmm_debug(...) vmm_printk(VMM_LOG_DEBUG, __VA_ARGS__)

#endif
