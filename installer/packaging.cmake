# Install layout and packages: `cpack -G DEB` or `cpack -G TGZ` from the build tree (tools/install-test.sh
# builds, installs and removes the .deb). The version is the CMake project version, everywhere.
include(GNUInstallDirs)

# Desktop integration: the launcher, the icon in every usual hicolor size (PNGs rendered from the SVG by
# tools/render-icons.sh and committed, so building needs no SVG renderer), AppStream metainfo.
install(FILES ${PROJECT_SOURCE_DIR}/resources/flowguard.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/flowguard.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
foreach(size 16 22 24 32 48 64 128 256)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/hicolor/flowguard-${size}.png
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps RENAME flowguard.png)
endforeach()
# SOURCE_DATE_EPOCH, when set, makes the date reproducible.
string(TIMESTAMP FLOWGUARD_RELEASE_DATE "%Y-%m-%d" UTC)
set(FLOWGUARD_METAINFO ${CMAKE_BINARY_DIR}/installer/io.github.flowguard.FlowGuard.metainfo.xml)
configure_file(${PROJECT_SOURCE_DIR}/installer/flowguard.metainfo.xml.in ${FLOWGUARD_METAINFO} @ONLY)
install(FILES ${FLOWGUARD_METAINFO} DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)

# Translations: the .qm files beside the binary's embedded copies, so a package can update them.
install(FILES ${CMAKE_BINARY_DIR}/ui/flowguard_de.qm DESTINATION ${CMAKE_INSTALL_DATADIR}/flowguard/translations)

# Headless for one user: systemctl --user enable --now flowguard.
install(FILES ${PROJECT_SOURCE_DIR}/installer/flowguard.service DESTINATION lib/systemd/user)

# Man pages from each program's --help (help2man, Debian's package of it).
find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(FLOWGUARD_MAN_DIR ${CMAKE_BINARY_DIR}/man)
  add_custom_command(
    OUTPUT ${FLOWGUARD_MAN_DIR}/flowguard.1 ${FLOWGUARD_MAN_DIR}/flowguard-inject.1
    COMMAND ${CMAKE_COMMAND} -E make_directory ${FLOWGUARD_MAN_DIR}
    COMMAND ${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen
            ${HELP2MAN} --no-info --section=1 "--name=${PROJECT_DESCRIPTION}"
            --output=${FLOWGUARD_MAN_DIR}/flowguard.1 $<TARGET_FILE:flowguard>
    COMMAND ${HELP2MAN} --no-info --section=1 --version-string=${PROJECT_VERSION}
            "--name=simulated service traffic with incidents for FlowGuard"
            --output=${FLOWGUARD_MAN_DIR}/flowguard-inject.1 $<TARGET_FILE:flowguard-inject>
    DEPENDS flowguard flowguard-inject
    COMMENT "Man pages from --help"
    VERBATIM)
  add_custom_target(manpages ALL DEPENDS ${FLOWGUARD_MAN_DIR}/flowguard.1 ${FLOWGUARD_MAN_DIR}/flowguard-inject.1)
  install(FILES ${FLOWGUARD_MAN_DIR}/flowguard.1 ${FLOWGUARD_MAN_DIR}/flowguard-inject.1
          DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(WARNING "help2man not found: no man pages (apt-get install help2man)")
endif()

set(CPACK_PACKAGE_NAME flowguard)
set(CPACK_PACKAGE_VENDOR "FlowGuard")
set(CPACK_PACKAGE_CONTACT "FlowGuard developers <flowguard@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION "FlowGuard ingests service logs and metrics over HTTP into a local SQLite database, learns each service's normal behaviour and alerts when one degrades. Runs with a window or headless (systemd user unit).")
set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/flowguard/flowguard")
# What dpkg-shlibdeps cannot see, because Qt and QtKeychain load it at run time: the xcb platform plugin ships
# in libqt6gui6 (found through libQt6Gui), Wayland's is its own package; the keychain needs a Secret Service.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-wayland, gnome-keyring | kwalletmanager, libsecret-1-0")
# The icon cache and desktop database are refreshed by dpkg triggers (hicolor-icon-theme, desktop-file-utils).
include(CPack)

# The desktop file and the metainfo as the distribution's validators see them.
if(FLOWGUARD_BUILD_TESTS)
  find_program(APPSTREAMCLI appstreamcli)
  find_program(DESKTOP_FILE_VALIDATE desktop-file-validate)
  if(APPSTREAMCLI)
    add_test(NAME metainfo_valid COMMAND ${APPSTREAMCLI} validate --no-net --explain ${FLOWGUARD_METAINFO})
  endif()
  if(DESKTOP_FILE_VALIDATE)
    add_test(NAME desktop_file_valid COMMAND ${DESKTOP_FILE_VALIDATE} ${PROJECT_SOURCE_DIR}/resources/flowguard.desktop)
  endif()
endif()
