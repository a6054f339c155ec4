/* SPDX-License-Identifier: BSD-3-Clause */
#include <time.h>

#include "common/gw_log.h"

#define GW_LOG_DEFINE(mod, name) RTE_LOG_REGISTER(gw_logtype_##mod, name, INFO);
GW_LOG_MODULES(GW_LOG_DEFINE)

static uint64_t gw_log_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u + 1;	/* never 0 */
}

bool gw_log_rl_take(struct gw_log_rl *rl, uint32_t *suppressed)
{
	uint64_t now = gw_log_now_ms();

	*suppressed = 0;
	if (rl->last_ms == 0) {
		rl->last_ms = now;
		rl->tokens = GW_LOG_RL_BURST;
	} else if (now - rl->last_ms >= GW_LOG_RL_PERIOD_MS) {
		uint64_t add = (now - rl->last_ms) / GW_LOG_RL_PERIOD_MS;

		rl->tokens = add >= GW_LOG_RL_BURST - rl->tokens ? GW_LOG_RL_BURST :
			     rl->tokens + (uint32_t)add;
		rl->last_ms += add * GW_LOG_RL_PERIOD_MS;
	}
	if (rl->tokens == 0) {
		if (rl->suppressed < UINT32_MAX)
			rl->suppressed++;
		return false;
	}
	rl->tokens--;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}
