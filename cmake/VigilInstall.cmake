# Install rules (`make install`, `cmake --install`) and the vigil(8) man page.
# Paths come from GNUInstallDirs; docs/installation.md lists them. With the default prefix
# /usr/local the configuration goes to /usr/local/etc/vigil; the Debian package is built
# with prefix /usr, where GNUInstallDirs puts it in /etc/vigil.
include(GNUInstallDirs)

# The binary is a system daemon (man section 8): sbin.
install(TARGETS vigil RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})

set(VIGIL_CONF_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/vigil")
install(FILES etc/vigil.yaml DESTINATION "${VIGIL_CONF_DIR}")
install(DIRECTORY DESTINATION "${VIGIL_CONF_DIR}/rules.d")
# Rule packs; OPTIONAL so that a tree without rules/packs yet installs too.
install(DIRECTORY rules/packs/ DESTINATION "${CMAKE_INSTALL_DATADIR}/vigil/packs" OPTIONAL
        FILES_MATCHING PATTERN "*.yaml")

# systemd: the unit, sysusers.d and tmpfiles.d snippets, where systemd's pkg-config file
# says (Debian bookworm: /lib/systemd/system, /usr/lib/sysusers.d, /usr/lib/tmpfiles.d).
pkg_get_variable(VIGIL_PC_UNIT_DIR systemd systemdsystemunitdir)
pkg_get_variable(VIGIL_PC_SYSUSERS_DIR systemd sysusersdir)
pkg_get_variable(VIGIL_PC_TMPFILES_DIR systemd tmpfilesdir)
foreach(kind UNIT SYSUSERS TMPFILES)
  if(NOT VIGIL_PC_${kind}_DIR)
    set(fallback_UNIT "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
    set(fallback_SYSUSERS "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d")
    set(fallback_TMPFILES "${CMAKE_INSTALL_PREFIX}/lib/tmpfiles.d")
    set(VIGIL_PC_${kind}_DIR "${fallback_${kind}}")
  endif()
endforeach()
set(VIGIL_SYSTEMD_UNIT_DIR "${VIGIL_PC_UNIT_DIR}" CACHE PATH "Where vigil.service goes")
set(VIGIL_SYSUSERS_DIR "${VIGIL_PC_SYSUSERS_DIR}" CACHE PATH "Where sysusers.d/vigil.conf goes")
set(VIGIL_TMPFILES_DIR "${VIGIL_PC_TMPFILES_DIR}" CACHE PATH "Where tmpfiles.d/vigil.conf goes")

set(VIGIL_SBIN "${CMAKE_INSTALL_FULL_SBINDIR}")
set(VIGIL_SYSCONF "${CMAKE_INSTALL_FULL_SYSCONFDIR}")
configure_file(systemd/vigil.service.in "${CMAKE_BINARY_DIR}/systemd/vigil.service" @ONLY)
install(FILES "${CMAKE_BINARY_DIR}/systemd/vigil.service" DESTINATION "${VIGIL_SYSTEMD_UNIT_DIR}")
install(FILES systemd/vigil.sysusers.conf DESTINATION "${VIGIL_SYSUSERS_DIR}" RENAME vigil.conf)
install(FILES systemd/vigil.tmpfiles.conf DESTINATION "${VIGIL_TMPFILES_DIR}" RENAME vigil.conf)

# Documentation.
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")

# vigil(8), from the binary's own --help (cmake/GenerateManPage.cmake), compressed as
# Debian wants it. Not in the fuzz build, whose binary runs under the sanitizers.
find_program(HELP2MAN_PROGRAM help2man)
find_program(GZIP_PROGRAM gzip)
if(VIGIL_FUZZ)
  # no man page
elseif(HELP2MAN_PROGRAM AND GZIP_PROGRAM)
  set(VIGIL_MAN_DIR "${CMAKE_BINARY_DIR}/man")  # a MANPATH entry: man8/vigil.8.gz
  set(VIGIL_MAN_PAGE "${VIGIL_MAN_DIR}/man8/vigil.8")
  add_custom_command(
    OUTPUT "${VIGIL_MAN_PAGE}.gz"
    COMMAND ${CMAKE_COMMAND} -DVIGIL=$<TARGET_FILE:vigil> -DHELP2MAN=${HELP2MAN_PROGRAM}
            -DSTATIC_INCLUDE=${PROJECT_SOURCE_DIR}/packaging/vigil.h2m
            -DWORK=${VIGIL_MAN_DIR} -DOUT=${VIGIL_MAN_PAGE}
            -P ${PROJECT_SOURCE_DIR}/cmake/GenerateManPage.cmake
    COMMAND ${GZIP_PROGRAM} -9 -n -f -k "${VIGIL_MAN_PAGE}"
    DEPENDS vigil "${PROJECT_SOURCE_DIR}/packaging/vigil.h2m"
            "${PROJECT_SOURCE_DIR}/cmake/GenerateManPage.cmake"
    COMMENT "Generating vigil(8) with help2man"
    VERBATIM)
  add_custom_target(vigil_man ALL DEPENDS "${VIGIL_MAN_PAGE}.gz")
  install(FILES "${VIGIL_MAN_PAGE}.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man8")
else()
  message(STATUS "help2man or gzip not found: no vigil(8) man page (make deps installs help2man)")
endif()
