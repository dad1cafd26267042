# Run by `cmake --install` and cpack: writes the systemd unit and the example
# environment file with the final paths (GNUInstallDirs' rule: prefix /usr puts
# configuration in /etc, any other prefix in PREFIX/etc).
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(sysconfdir /etc)
else()
  set(sysconfdir ${CMAKE_INSTALL_PREFIX}/etc)
endif()
set(SEVU_BIN ${CMAKE_INSTALL_PREFIX}/bin/sevu-server)
set(SEVU_ENV_FILE ${sysconfdir}/sevu/sevu.env)
set(SEVU_DOC_DIR ${CMAKE_INSTALL_PREFIX}/${SEVU_DOC_SUBDIR})

set(unit $ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/lib/systemd/system/sevu-server.service)
message(STATUS "Installing: ${unit}")
configure_file(${SEVU_PACKAGING_DIR}/sevu-server.service.in ${unit} @ONLY)

# Never overwrite an environment file the admin already edited.
set(env $ENV{DESTDIR}${SEVU_ENV_FILE})
if(EXISTS ${env})
  message(STATUS "Up-to-date (kept): ${env}")
else()
  message(STATUS "Installing: ${env}")
  file(INSTALL ${SEVU_PACKAGING_DIR}/sevu.env DESTINATION ${sysconfdir}/sevu
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE)
endif()
