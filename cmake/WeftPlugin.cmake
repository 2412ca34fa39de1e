# weft_add_plugin(NAME kind_name SOURCES ... [LIBRARIES ...])
#
# A plugin is an OBJECT library (so its self-registration survives linking) named
# weft_<kind>_<name>, with alias weft::<kind>_<name>. The weft executable and the tests link
# every plugin listed in the global property WEFT_PLUGINS.
function(weft_add_plugin)
  cmake_parse_arguments(P "" "NAME" "SOURCES;LIBRARIES" ${ARGN})
  set(target weft_${P_NAME})
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

# Precompiles the Asio/Beast headers for target (each target builds its own copy: REUSE_FROM
# demands identical flags, which plugins and tests do not have).
function(weft_use_pch target)
  if(WEFT_PCH)
    target_precompile_headers(${target} PRIVATE "${PROJECT_SOURCE_DIR}/framework/pch/weft_pch.hpp")
  endif()
endfunction()
