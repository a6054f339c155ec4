/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Access control of the DPDK telemetry socket: socket_mode and
 * socket_group from the configuration.  EAL creates the runtime
 * directories <run>/dpdk and <run>/dpdk/<prefix> with mode 0700, so a
 * socket opened to a group or to others is unreachable unless those
 * directories let them through: they get the matching search (x) bit
 * only, never read, and the prefix directory gets the socket's group.
 */

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>

#include "common/gw_log.h"
#include "controlplane/tm_socket.h"

int tm_socket_path(char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/dpdk_telemetry.v2", rte_eal_get_runtime_dir());

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int tm_group_id(const char *name, gid_t *gid)
{
	char buf[4096];
	struct group g, *res = NULL;
	int ret = getgrnam_r(name, &g, buf, sizeof(buf), &res);

	if (ret != 0 || res == NULL) {
		GW_LOG(tm, ERR, "telemetry socket_group: unknown group (%s)", name);
		return -ENOENT;
	}
	*gid = g.gr_gid;
	return 0;
}

/* Add the search bits in add to dir, and set its group when gid != -1. */
static int tm_dir_open(const char *dir, mode_t add, gid_t gid)
{
	struct stat st;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return -errno;
	if (gid != (gid_t)-1 && chown(dir, (uid_t)-1, gid) != 0)
		return -errno;
	if ((st.st_mode & add) != add && chmod(dir, (st.st_mode & 07777) | add) != 0)
		return -errno;
	return 0;
}

/* The directory part of an absolute path ("/" for "/x"). */
static void tm_dir_of(const char *path, char *out, size_t len)
{
	char *slash;

	snprintf(out, len, "%s", path);
	slash = strrchr(out, '/');
	if (slash == out)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
}

/* Let the classes the socket is open to reach it. */
static int tm_dirs_open(const char *sock, mode_t mode, gid_t gid)
{
	char prefix_dir[PATH_MAX], parent_dir[PATH_MAX];
	mode_t add = 0;
	int ret;

	if (mode & 0070)
		add |= S_IXGRP;
	if (mode & 0007)
		add |= S_IXOTH;
	if (add == 0)
		return 0;
	tm_dir_of(sock, prefix_dir, sizeof(prefix_dir));
	tm_dir_of(prefix_dir, parent_dir, sizeof(parent_dir));
	ret = tm_dir_open(prefix_dir, add, gid);
	if (ret != 0) {
		GW_LOG(tm, ERR, "telemetry directory %s: %s", prefix_dir, strerror(-ret));
		return ret;
	}
	/* <run>/dpdk is shared and root's: group members pass as "others". */
	ret = tm_dir_open(parent_dir, S_IXOTH, (gid_t)-1);
	if (ret != 0)
		GW_LOG(tm, ERR, "telemetry directory %s: %s", parent_dir, strerror(-ret));
	return ret;
}

int tm_socket_apply(const struct cfg_telemetry *t)
{
	char path[PATH_MAX];
	gid_t gid = (gid_t)-1;
	struct stat st;
	mode_t mode;
	int ret;

	if (!t->has_mode && t->socket_group[0] == '\0')
		return 0;
	ret = tm_socket_path(path, sizeof(path));
	if (ret != 0)
		return ret;
	if (t->socket_group[0] != '\0' && (ret = tm_group_id(t->socket_group, &gid)) != 0)
		return ret;
	if (stat(path, &st) != 0)
		ret = -errno;
	else if (!S_ISSOCK(st.st_mode))
		ret = -ENOTSOCK;
	if (ret != 0) {
		GW_LOG(tm, ERR, "telemetry socket %s: %s (telemetry disabled?)", path,
		       strerror(-ret));
		return ret;
	}
	if (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) != 0) {
		ret = -errno;
		GW_LOG(tm, ERR, "chgrp %s %s: %s", t->socket_group, path, strerror(errno));
		return ret;
	}
	if (t->has_mode && chmod(path, (mode_t)t->socket_mode) != 0) {
		ret = -errno;
		GW_LOG(tm, ERR, "chmod %04o %s: %s", t->socket_mode, path, strerror(errno));
		return ret;
	}
	mode = t->has_mode ? (mode_t)t->socket_mode : (st.st_mode & 0777);
	if (gid != (gid_t)-1 && (mode & 0070) == 0)
		GW_LOG(tm, WARNING, "telemetry socket_group %s has no access with mode %04o",
		       t->socket_group, (unsigned)mode);
	ret = tm_dirs_open(path, mode, gid);
	if (ret == 0)
		GW_LOG(tm, INFO, "telemetry socket %s: mode %04o group %s", path, (unsigned)mode,
		       t->socket_group[0] != '\0' ? t->socket_group : "(unchanged)");
	return ret;
}
