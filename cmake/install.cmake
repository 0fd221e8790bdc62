# `cmake --install` puts kinesim's libraries, headers, the kinesim binary and a CMake package
# in place, so another project can `find_package(kinesim)` and link kinesim::harness (or
# kinesim::harness_gtest for the GoogleTest fixtures and matchers).
include(CMakePackageConfigHelpers)

set(KINESIM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/kinesim)

set_target_properties(kinesim_storage PROPERTIES EXPORT_NAME storage)
set_target_properties(kinesim_api PROPERTIES EXPORT_NAME api)
set_target_properties(kinesim_server PROPERTIES EXPORT_NAME server)

# A sanitizer build's libraries need the sanitizer runtime wherever they are linked: the
# installed targets ask for it (every other kinesim library links kinesim_storage).
if(KINESIM_SANITIZE OR KINESIM_FUZZ)
  target_link_options(kinesim_storage INTERFACE -fsanitize=address,undefined)
elseif(KINESIM_TSAN)
  target_link_options(kinesim_storage INTERFACE -fsanitize=thread)
endif()

install(TARGETS kinesim_storage kinesim_api kinesim_server kinesim_harness
        EXPORT kinesimTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS kinesim_harness_gtest
        EXPORT kinesimGTestTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS kinesim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Headers keep their layout ("harness/test_server.h", "server/server.h", ...), under
# include/kinesim.
foreach(dir storage api server harness)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kinesim/${dir}
          FILES_MATCHING PATTERN "*.h")
endforeach()

install(EXPORT kinesimTargets NAMESPACE kinesim:: DESTINATION ${KINESIM_CMAKE_DIR})
install(EXPORT kinesimGTestTargets NAMESPACE kinesim:: DESTINATION ${KINESIM_CMAKE_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/kinesimConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/kinesimConfig.cmake
                              INSTALL_DESTINATION ${KINESIM_CMAKE_DIR})
install(FILES ${PROJECT_BINARY_DIR}/kinesimConfig.cmake DESTINATION ${KINESIM_CMAKE_DIR})
