# install() and the Debian package (docs/operations.md, "Installing the package").
# The schema needs no files at run time: its migrations are compiled in.
include(GNUInstallDirs)

install(TARGETS sevu-server RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# README.md beside the whole of docs/, as in the repository, so that the links
# between them (and to docs/console/'s pictures) resolve where they are installed.
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
# The nginx configurations the tests run, as examples to adapt (docs/hooks.md).
install(FILES tests/e2e/nginx/rtmp.conf.in tests/e2e/nginx/hls.conf.in
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
# The systemd unit and its environment file name absolute paths, so they are
# written at install time, when the prefix is final (cpack's DEB generator
# installs with CMAKE_INSTALL_PREFIX=/usr and DESTDIR set to its staging tree).
install(CODE "set(SEVU_PACKAGING_DIR \"${CMAKE_CURRENT_SOURCE_DIR}/packaging\")
              set(SEVU_DOC_SUBDIR \"${CMAKE_INSTALL_DOCDIR}\")")
install(SCRIPT cmake/install_service.cmake)

set(CPACK_PACKAGE_NAME sevu-server)
set(CPACK_PACKAGE_VENDOR "sevu-server")
set(CPACK_PACKAGE_CONTACT "sevu-server maintainers <root@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "ScaleEngine Virtual Usher compatible ticket service")
set(CPACK_PACKAGE_DESCRIPTION
    "A self-hosted reimplementation of the ScaleEngine Virtual Usher: the legacy signed\n\
command API, the v2 object API, and the usher that media servers (nginx-rtmp, nginx\n\
auth_request, SRS, MediaMTX) ask before a viewer plays or an encoder publishes.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps names the runtime libraries the binary links: libc6, libgcc-s1,
# libstdc++6, libsqlite3-0, libpq5, libssl3 (libcrypto), libjemalloc2 and
# libprometheus-cpp-core1.0. Boost (Beast, Asio) is header-only
# and compiled into the binary, so no Boost package is needed at run time.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/postinst
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/prerm
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/postrm
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
