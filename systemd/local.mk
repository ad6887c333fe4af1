# SPDX-License-Identifier: ISC
# What `make install` puts beside the programs, on any distribution (the Debian package installs
# the same set): the unit and its start script, the tsyncd user (sysusers.d), /var/lib/tsyncd
# and /run/tsyncd (tmpfiles.d), the example configuration and tsyncd.conf(5). Installed as root
# without DESTDIR, the hook creates the user and the directories, and installs the example as
# $(sysconfdir)/tsyncd.conf when the host has no ntpd configuration (the unit reads that first).
# `make deb` builds the Debian package from the tarball (tools/build-deb.sh).
dist_man_MANS += man/tsyncd.conf.5

systemdsystemunit_DATA = systemd/tsyncd.service
tsyncdlibexecdir = $(libexecdir)/tsyncd
tsyncdlibexec_SCRIPTS = systemd/tsyncd-start
sysusers_DATA = systemd/sysusers/tsyncd.conf
tmpfiles_DATA = systemd/tmpfiles/tsyncd.conf
# in $(pkgdatadir), not under doc/: Debian allows /usr/share/doc to be left out
dist_pkgdata_DATA = etc/tsyncd.conf
CLEANFILES += systemd/tsyncd.service systemd/tsyncd-start $(sysusers_DATA) $(tmpfiles_DATA)
EXTRA_DIST += systemd/tsyncd.service.in systemd/tsyncd-start.in systemd/tsyncd.sysusers \
	systemd/tsyncd.tmpfiles tools/build-deb.sh debian

systemd_subst = sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@libexecdir[@]|$(libexecdir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' -e 's|@datadir[@]|$(datadir)|g'
systemd/tsyncd.service: $(srcdir)/systemd/tsyncd.service.in Makefile
	$(AM_V_GEN)mkdir -p systemd && $(systemd_subst) $(srcdir)/systemd/tsyncd.service.in >$@
systemd/tsyncd-start: $(srcdir)/systemd/tsyncd-start.in Makefile
	$(AM_V_GEN)mkdir -p systemd && $(systemd_subst) $(srcdir)/systemd/tsyncd-start.in >$@ && \
	chmod +x $@
# sysusers.d and tmpfiles.d want the package name as the file name
systemd/sysusers/tsyncd.conf: $(srcdir)/systemd/tsyncd.sysusers
	$(AM_V_GEN)mkdir -p systemd/sysusers && cp $(srcdir)/systemd/tsyncd.sysusers $@
systemd/tmpfiles/tsyncd.conf: $(srcdir)/systemd/tsyncd.tmpfiles
	$(AM_V_GEN)mkdir -p systemd/tmpfiles && cp $(srcdir)/systemd/tsyncd.tmpfiles $@
all-local: systemd/tsyncd.service systemd/tsyncd-start

# As root and without DESTDIR: create the user and the directories now when the files went where
# systemd reads them (systemd-sysusers and systemd-tmpfiles also do at boot), and install the
# example as $(sysconfdir)/tsyncd.conf on a host without an ntpd configuration.
install-data-hook:
	@if test -n "$(DESTDIR)" || test "$$(id -u)" != 0; then \
	  echo "make install: DESTDIR or not root: the tsyncd user, /var/lib/tsyncd and /run/tsyncd are left to the package or to systemd at boot"; \
	  exit 0; \
	fi; \
	case "$(sysusersdir)" in /etc/sysusers.d|/usr/lib/sysusers.d|/usr/local/lib/sysusers.d|/lib/sysusers.d) \
	  if command -v systemd-sysusers >/dev/null; then \
	    systemd-sysusers $(sysusersdir)/tsyncd.conf && echo "make install: user tsyncd (systemd-sysusers)"; \
	  else echo "make install: no systemd-sysusers: create a system user tsyncd (home /var/lib/tsyncd)"; fi ;; \
	*) echo "make install: $(sysusersdir) is not read by systemd-sysusers: create the user tsyncd yourself" ;; \
	esac; \
	case "$(tmpfilesdir)" in /etc/tmpfiles.d|/usr/lib/tmpfiles.d|/usr/local/lib/tmpfiles.d|/lib/tmpfiles.d) \
	  if command -v systemd-tmpfiles >/dev/null; then \
	    systemd-tmpfiles --create $(tmpfilesdir)/tsyncd.conf && echo "make install: /var/lib/tsyncd, /run/tsyncd (systemd-tmpfiles)"; \
	  else echo "make install: no systemd-tmpfiles: create /var/lib/tsyncd owned by tsyncd"; fi ;; \
	*) echo "make install: $(tmpfilesdir) is not read by systemd-tmpfiles: create /var/lib/tsyncd owned by tsyncd yourself" ;; \
	esac; \
	if test -f $(sysconfdir)/tsyncd.conf; then \
	  echo "make install: $(sysconfdir)/tsyncd.conf kept"; \
	elif test -f /etc/ntp.conf || test -f /etc/ntpsec/ntp.conf; then \
	  echo "make install: an ntpd configuration exists: tsyncd will read it; the example is $(pkgdatadir)/tsyncd.conf"; \
	else \
	  $(MKDIR_P) $(sysconfdir) && $(INSTALL_DATA) $(srcdir)/etc/tsyncd.conf $(sysconfdir)/tsyncd.conf && \
	  echo "make install: installed the example configuration as $(sysconfdir)/tsyncd.conf"; \
	fi

# The example copied by install-data-hook goes with the rest, unless it was changed.
uninstall-hook:
	@if test -z "$(DESTDIR)" && cmp -s $(srcdir)/etc/tsyncd.conf $(sysconfdir)/tsyncd.conf; then \
	  rm -f $(sysconfdir)/tsyncd.conf; \
	fi

deb: dist-gzip
	$(SHELL) $(srcdir)/tools/build-deb.sh $(distdir).tar.gz deb
.PHONY: deb

# make install into a DESTDIR, tsyncd.conf(5), the unit's security score, tsyncd-start
TESTS += tests/integration/packaging.sh
dist_check_SCRIPTS += tests/integration/packaging.sh
