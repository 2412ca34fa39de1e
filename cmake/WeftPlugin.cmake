# weft_add_plugin(NAME kind_name [MODULE] [VERSION v] SOURCES ... [LIBRARIES ...])
#
# Without MODULE, a built-in plugin: an OBJECT library (so its self-registration survives linking)
# named weft_<kind>_<name>, alias weft::<kind>_<name>. The weft executable and the tests link
# every plugin listed in the global property WEFT_PLUGINS.
#
# With MODULE, a loadable plugin (spiders/ but site): a shared library weft_<kind>_<name>.so in
# WEFT_PLUGIN_OUTPUT_DIR (<build>/lib/weft/plugins, where the weft of this build tree looks),
# installed to <prefix>/lib/weft/plugins; target weft_<kind>_<name>. Tests that want to link it
# directly use weft::<kind>_<name>, an OBJECT library of the same sources (built only when used).
include(WeftPluginModule)

set(WEFT_PLUGIN_OUTPUT_DIR "${PROJECT_BINARY_DIR}/lib/weft/plugins")
set(WEFT_PLUGIN_INSTALL_DIR "lib/weft/plugins")

function(weft_add_plugin)
  cmake_parse_arguments(P "MODULE" "NAME;VERSION" "SOURCES;LIBRARIES" ${ARGN})
  set(target weft_${P_NAME})
  if(P_MODULE)
    weft_plugin_module(${target} NAME ${P_NAME} VERSION "${P_VERSION}" API weft::plugin_api
                       OUTPUT_DIRECTORY "${WEFT_PLUGIN_OUTPUT_DIR}" SOURCES ${P_SOURCES} LIBRARIES ${P_LIBRARIES})
    target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/include)
    install(TARGETS ${target} LIBRARY DESTINATION ${WEFT_PLUGIN_INSTALL_DIR})
    set_property(GLOBAL APPEND PROPERTY WEFT_PLUGIN_MODULES ${target})

    add_library(${target}_objects OBJECT EXCLUDE_FROM_ALL ${P_SOURCES})
    add_library(weft::${P_NAME} ALIAS ${target}_objects)
    target_link_libraries(${target}_objects PUBLIC weft::framework ${P_LIBRARIES})
    target_include_directories(${target}_objects PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
    return()
  endif()
  add_library(${target} OBJECT ${P_SOURCES})
  add_library(weft::${P_NAME} ALIAS ${target})
  target_link_libraries(${target} PUBLIC weft::framework ${P_LIBRARIES})
  target_include_directories(${target} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  weft_use_pch(${target})
  set_property(GLOBAL APPEND PROPERTY WEFT_PLUGINS ${target})
endfunction()

# Links every registered plugin into target (plugins register themselves at static init).
function(weft_link_plugins target)
  get_property(plugins GLOBAL PROPERTY WEFT_PLUGINS)
  foreach(p IN LISTS plugins)
    target_link_libraries(${target} PRIVATE ${p})
  endforeach()
endfunction()

# Makes executable `target` able to load plugin modules: the whole framework is linked in (not
# only what the program itself uses) and every symbol is exported, so a module's references to
# weft, Asio and Beast bind to the program's own copies (one io_context service registry, one
# set of Asio template statics per process).
function(weft_enable_plugin_host target)
  set_target_properties(${target} PROPERTIES ENABLE_EXPORTS ON)
  target_link_options(${target} PRIVATE
    "SHELL:-Wl,--whole-archive $<TARGET_FILE:weft_framework> -Wl,--no-whole-archive")
  # The modules this build makes are found beside the program's build tree; build them with it.
  get_property(modules GLOBAL PROPERTY WEFT_PLUGIN_MODULES)
  if(modules)
    add_dependencies(${target} ${modules})
  endif()
endfunction()

# Precompiles the Asio/Beast headers once for libraries and once for executables: clang accepts a
# PCH only with the same -fPIC/-fPIE and optimisation as the file using it, but extra or missing
# -D and -I are fine. weft_framework hosts the libraries' copy, weft_cli the executables' (both
# are defined before any other user). One copy per target cost ~43 MB of disk and ~4 s each.
function(weft_use_pch target)
  if(NOT WEFT_PCH)
    return()
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE")
    set(host weft_cli)
  else()
    set(host weft_framework)
  endif()
  if(target STREQUAL host)
    target_precompile_headers(${target} PRIVATE "${PROJECT_SOURCE_DIR}/framework/pch/weft_pch.hpp")
  else()
    target_precompile_headers(${target} REUSE_FROM ${host})
  endif()
endfunction()
