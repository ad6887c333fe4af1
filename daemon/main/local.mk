# SPDX-License-Identifier: ISC
# daemon/main/: the entry point, privileged start-up, privilege separation, the children's
# life cycle and --single-process.
tsyncd_SOURCES += daemon/main/main.c daemon/main/daemon.c daemon/main/daemon.h \
	daemon/main/daemon_int.h daemon/main/daemon_setup.c daemon/main/daemon_children.c \
	daemon/main/daemon_single.c daemon/main/daemon_reload.c daemon/main/daemon_hooks.c \
	daemon/main/daemon_hooks.h daemon/main/daemon_ntske.c daemon/main/notify.c daemon/main/notify.h
