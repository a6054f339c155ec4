/* SPDX-License-Identifier: BSD-3-Clause */
#include "common/gw_log.h"

#define GW_LOG_DEFINE(mod, name) RTE_LOG_REGISTER(gw_logtype_##mod, name, INFO);
GW_LOG_MODULES(GW_LOG_DEFINE)
