# What ships: the install layout, the Debian package (CPack DEB), the man pages, and the generated
# API reference (target api_docs). Build first, then package:
#   cmake --build build && (cd build && cpack -G DEB)
include(GNUInstallDirs)

# `cpack` runs the install step; it must not first rebuild the whole tree (every test included).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

# ---- man pages, gzipped as Debian wants them ------------------------------------------------------
set(_mw_man_outputs)
foreach(page middlewared.8 midclt.1)
  string(REGEX REPLACE ".*\\.([0-9])$" "\\1" _section ${page})
  set(_out ${CMAKE_BINARY_DIR}/man/${page}.gz)
  add_custom_command(OUTPUT ${_out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/docs/man/${page} ${CMAKE_BINARY_DIR}/man/${page}
    COMMAND gzip -9nf ${CMAKE_BINARY_DIR}/man/${page}
    DEPENDS ${PROJECT_SOURCE_DIR}/docs/man/${page}
    COMMENT "Compressing man page ${page}"
    VERBATIM)
  list(APPEND _mw_man_outputs ${_out})
  install(FILES ${_out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${_section})
endforeach()
add_custom_target(man_pages ALL DEPENDS ${_mw_man_outputs})
# Everything the package test needs built before it runs cpack.
add_custom_target(package_check_inputs DEPENDS middlewared midclt man_pages)

# ---- API reference: docs/api/<namespace>.md from the method registry + schemas/ -------------------
add_custom_target(api_docs
  COMMAND $<TARGET_FILE:middlewared> --write-api-docs ${PROJECT_SOURCE_DIR}/docs/api
  DEPENDS middlewared
  COMMENT "Writing docs/api from the method registry"
  VERBATIM)

# ---- install layout (paths as the systemd unit expects them) --------------------------------------
install(TARGETS middlewared midclt RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/etc/middlewared.conf DESTINATION /etc/middlewared)
install(FILES ${PROJECT_SOURCE_DIR}/etc/middlewared.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/etc/midclt.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME midclt)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/api DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")

# ---- Debian maintainer files ---------------------------------------------------------------------
set(_mw_deb ${CMAKE_BINARY_DIR}/debian-control)
file(MAKE_DIRECTORY ${_mw_deb})
# The configuration is a conffile: an upgrade never overwrites an admin's edits.
file(WRITE ${_mw_deb}/conffiles "/etc/middlewared/middlewared.conf\n")
# The unit is installed but neither enabled nor started: the admin decides (systemctl enable --now).
# Stopping the daemon never stops VMs (KillMode=process in the unit).
file(WRITE ${_mw_deb}/postinst
  "#!/bin/sh\nset -e\nif [ \"$1\" = configure ] && [ -d /run/systemd/system ]; then\n"
  "  systemctl daemon-reload >/dev/null 2>&1 || true\nfi\n")
file(WRITE ${_mw_deb}/prerm
  "#!/bin/sh\nset -e\nif [ \"$1\" = remove ] && [ -d /run/systemd/system ]; then\n"
  "  systemctl stop middlewared.service >/dev/null 2>&1 || true\nfi\n")
file(WRITE ${_mw_deb}/postrm
  "#!/bin/sh\nset -e\nif [ -d /run/systemd/system ]; then\n  systemctl daemon-reload >/dev/null 2>&1 || true\nfi\n")
file(CHMOD ${_mw_deb}/postinst ${_mw_deb}/prerm ${_mw_deb}/postrm
     PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# ---- CPack ---------------------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME middlewared)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "middlewared")
set(CPACK_PACKAGE_CONTACT "middlewared maintainers <root@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "TrueNAS-compatible virtual machine middleware (JSON-RPC over WebSocket, QEMU)")
set(CPACK_PACKAGE_DESCRIPTION
    "middlewared serves the TrueNAS SCALE middleware API for virtual machines (vm.* and vm.device.*) over "
    "JSON-RPC 2.0 / WebSocket and runs each VM as a QEMU process. midclt is its command-line client.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://www.truenas.com/docs/api/")
# Shared libraries (libc6, libstdc++6, libssl3, libsqlite3-0, libpam0g, ...) from dpkg-shlibdeps;
# the hypervisor and firmware by hand.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qemu-system-x86, qemu-utils, ovmf")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "novnc, seabios")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${_mw_deb}/conffiles;${_mw_deb}/postinst;${_mw_deb}/prerm;${_mw_deb}/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
# gzip: the package is built in a test; xz would cost seconds for little gain.
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
include(CPack)
