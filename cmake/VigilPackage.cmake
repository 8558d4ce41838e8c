# The Debian package, with CPack (`make deb`: a build configured with prefix /usr, then
# `cpack -G DEB`). Included after VigilInstall.cmake, whose paths it uses. The maintainer
# scripts and the Debian-only documents are in packaging/debian/.
set(VIGIL_DEB_RELEASE 1 CACHE STRING "Debian revision of the package")
set(VIGIL_DEB_MAINTAINER "Vigil maintainers <maintainers@vigil.example.org>"
    CACHE STRING "Maintainer field of the Debian package")
set(VIGIL_DEB_VERSION "${PROJECT_VERSION}-${VIGIL_DEB_RELEASE}")

# Debian keeps a package's copyright and changelog in /usr/share/doc/<package>.
set(deb_dir "${CMAKE_BINARY_DIR}/packaging/debian")
install(FILES packaging/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
configure_file(packaging/debian/changelog.in "${deb_dir}/changelog" @ONLY)
if(GZIP_PROGRAM)
  add_custom_command(
    OUTPUT "${deb_dir}/changelog.Debian.gz"
    COMMAND ${GZIP_PROGRAM} -9 -n -f -k "${deb_dir}/changelog"
    COMMAND ${CMAKE_COMMAND} -E rename "${deb_dir}/changelog.gz" "${deb_dir}/changelog.Debian.gz"
    DEPENDS "${deb_dir}/changelog"
    VERBATIM)
  add_custom_target(vigil_deb_changelog ALL DEPENDS "${deb_dir}/changelog.Debian.gz")
  install(FILES "${deb_dir}/changelog.Debian.gz" DESTINATION ${CMAKE_INSTALL_DOCDIR})
endif()

# Maintainer scripts and conffiles, with the install paths filled in.
configure_file(packaging/debian/postinst.in "${deb_dir}/control/postinst" @ONLY
               FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                WORLD_READ WORLD_EXECUTE)
configure_file(packaging/debian/prerm "${deb_dir}/control/prerm" COPYONLY)
configure_file(packaging/debian/postrm "${deb_dir}/control/postrm" COPYONLY)
configure_file(packaging/debian/conffiles.in "${deb_dir}/control/conffiles" @ONLY)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME vigil)
set(CPACK_PACKAGE_VENDOR "The Vigil authors")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "security and compliance monitoring daemon")
set(CPACK_PACKAGE_CONTACT "${VIGIL_DEB_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE "${VIGIL_DEB_RELEASE}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${VIGIL_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY on the first line; this is the rest.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Vigil watches a host for security and compliance events. Its collectors read
packets from a live interface or capture files, authentication logs, journal
exports and JSON events; detection rules turn them into alerts, and metrics
are served for Prometheus.
.
The package installs a systemd service that runs as the unprivileged vigil
user with only the capabilities its collectors need. It is not enabled on
installation: review /etc/vigil/vigil.yaml, then run
systemctl enable --now vigil.")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The postinst falls back to adduser where systemd-sysusers is missing. (Its
# deb-systemd-invoke comes from init-system-helpers, which is essential.)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${deb_dir}/control/postinst;${deb_dir}/control/prerm;${deb_dir}/control/postrm;${deb_dir}/control/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES TRUE)
include(CPack)
