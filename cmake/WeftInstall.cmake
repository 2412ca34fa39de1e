# weft's CMake package and install rules.
#
# find_package(weft CONFIG) works against a build tree or an installed weft alike
# (-DCMAKE_PREFIX_PATH=<build or prefix>: both have lib/cmake/weft/weftConfig.cmake). It gives
# weft::plugin (headers and ABI definitions, no library: the weft executable provides the
# symbols) and weft_add_plugin(), so a spider plugin's CMakeLists.txt is three lines (weft
# genspider writes one); weft::weft and weft::chromium for programs (cmake/WeftLibrary.cmake).
# It records weft's compiler, which a plugin must share.
include(CMakePackageConfigHelpers)

set(WEFT_INSTALL_CMAKE_DIR "lib/cmake/weft")
file(STRINGS "${PROJECT_SOURCE_DIR}/framework/include/weft/plugin/abi.hpp" abi_line
     REGEX "^#define WEFT_PLUGIN_ABI [0-9]+$")
string(REGEX REPLACE "^#define WEFT_PLUGIN_ABI " "" WEFT_PLUGIN_ABI "${abi_line}")

write_basic_package_version_file("${PROJECT_BINARY_DIR}/${WEFT_INSTALL_CMAKE_DIR}/weftConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)

# The build tree's package, laid out as an installed one: -DCMAKE_PREFIX_PATH=<build> finds it.
set(WEFT_CONFIG_EXECUTABLE "$<TARGET_FILE:weft_cli>")
configure_file("${PROJECT_SOURCE_DIR}/cmake/weftConfig.cmake.in" "${PROJECT_BINARY_DIR}/weftConfig.cmake.gen" @ONLY)
file(GENERATE OUTPUT "${PROJECT_BINARY_DIR}/${WEFT_INSTALL_CMAKE_DIR}/weftConfig.cmake"
     INPUT "${PROJECT_BINARY_DIR}/weftConfig.cmake.gen")
configure_file("${PROJECT_SOURCE_DIR}/cmake/WeftPluginModule.cmake"
               "${PROJECT_BINARY_DIR}/${WEFT_INSTALL_CMAKE_DIR}/WeftPluginModule.cmake" COPYONLY)
set(weft_exported weft_plugin_api)
if(WEFT_LIBRARY)
  list(APPEND weft_exported weft_library weft_chromium_api)
endif()
export(TARGETS ${weft_exported} NAMESPACE weft:: FILE "${PROJECT_BINARY_DIR}/${WEFT_INSTALL_CMAKE_DIR}/weftTargets.cmake")

# The installed package.
set(WEFT_CONFIG_EXECUTABLE "\${CMAKE_CURRENT_LIST_DIR}/../../../bin/weft")
configure_file("${PROJECT_SOURCE_DIR}/cmake/weftConfig.cmake.in" "${PROJECT_BINARY_DIR}/install/weftConfig.cmake" @ONLY)

install(TARGETS weft_cli RUNTIME DESTINATION bin)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/framework/include/weft" DESTINATION include FILES_MATCHING PATTERN "*.hpp")
install(FILES "${PROJECT_BINARY_DIR}/framework/include/weft/version.hpp" DESTINATION include/weft)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/plugins/fetch_chromium/include/weft" DESTINATION include
        FILES_MATCHING PATTERN "*.hpp")
install(TARGETS ${weft_exported} EXPORT weftTargets
        LIBRARY DESTINATION lib)
install(EXPORT weftTargets NAMESPACE weft:: DESTINATION ${WEFT_INSTALL_CMAKE_DIR})
install(FILES "${PROJECT_BINARY_DIR}/install/weftConfig.cmake"
              "${PROJECT_BINARY_DIR}/${WEFT_INSTALL_CMAKE_DIR}/weftConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/WeftPluginModule.cmake"
        DESTINATION ${WEFT_INSTALL_CMAKE_DIR})
