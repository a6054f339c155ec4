/* SPDX-License-Identifier: BSD-3-Clause */
/* TODO: being written */
typedef int gw_placeholder_pki_fetch;
