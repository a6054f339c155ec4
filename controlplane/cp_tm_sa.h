/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_TM_SA_H
#define GW_CP_TM_SA_H

/*
 * The handlers of the ESP SA telemetry commands (cp_tm_sa.c), registered
 * by cp_tm_sa_register() and exposed for tests that run them directly
 * (tm_run_to_json).  CP thread only.  See cp_tm_sa.c for the replies.
 */

#include "controlplane/cp_tm.h"

int cp_tm_sa_drops(const char *params, struct tm_reply *r);	/* dp/drops */
int cp_tm_sa_list(const char *params, struct tm_reply *r);	/* sas[,START] */
int cp_tm_sa_one(const char *params, struct tm_reply *r);	/* sa,HANDLE */
int cp_tm_sa_stats(const char *params, struct tm_reply *r);	/* sa_stats */
int cp_tm_sa_clear(const char *params, struct tm_reply *r);	/* sa_clear,NAME */

enum { CP_TM_SA_PAGE = 32 };	/* SAs a page of sas: ~230 bytes each at worst */

#endif /* GW_CP_TM_SA_H */
