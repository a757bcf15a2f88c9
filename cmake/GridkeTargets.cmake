# Helpers that give every GridKE target the same warnings, sanitizers and layout (STYLE.md §2.1).

set(GRIDKE_WARNINGS -Wall -Wextra -Wpedantic)
if(GRIDKE_WERROR)
  list(APPEND GRIDKE_WARNINGS -Werror)
endif()
# A unity build #includes each .cpp into a generated unit, so GCC takes a class in a .cpp that
# uses an anonymous-namespace type for a header class and warns (-Wsubobject-linkage): a false
# positive of unity mode only.
if(CMAKE_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND GRIDKE_WARNINGS -Wno-subobject-linkage)
endif()

if(GRIDKE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
# GRIDKE_FUZZ (clang): every static library gets libFuzzer's coverage instrumentation, so the
# fuzz/ targets link against the libraries of this same build. Test executables are left
# uninstrumented: the hooks are no-ops there. With GRIDKE_SANITIZE one build serves the
# ASan + UBSan tests and the fuzzers (CI, docs/ci.md).
if(GRIDKE_FUZZ AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  add_compile_options($<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,STATIC_LIBRARY>:-fsanitize=fuzzer-no-link>)
endif()
# Extra compile options for the executables (test suites, test helper processes, the gridke
# command), e.g. -O0: their own code is cheap to run, while the libraries they exercise keep
# CMAKE_CXX_FLAGS_<CONFIG>. CI's sanitizer build sets -O0 here (docs/ci.md).
set(GRIDKE_EXECUTABLE_OPTIONS "" CACHE STRING
    "extra compile options for test executables and the gridke command (;-list)")
# The same for the libraries, except those that link Eigen (the power flow, regressions and OLS):
# their tests are compute-bound and keep CMAKE_CXX_FLAGS_<CONFIG>. CI's sanitizer build sets -O0.
set(GRIDKE_LIBRARY_OPTIONS "" CACHE STRING
    "extra compile options for the libraries that do not link Eigen3::Eigen (;-list)")
if(GRIDKE_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()

# gridke_add_library(NAME <name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Creates target gridke_<name> (alias gridke::<name>) with headers in include/.
# With -DGRIDKE_TOLERATE_MISSING_SOURCES=ON (developers' trees where several people add files
# at once) a listed source that does not exist yet is dropped with a warning instead of failing
# the configure step. CI leaves it OFF.
option(GRIDKE_TOLERATE_MISSING_SOURCES "drop listed sources that do not exist" OFF)
macro(gridke_existing_sources var)
  if(GRIDKE_TOLERATE_MISSING_SOURCES)
    set(_kept)
    foreach(_src ${${var}})
      if(IS_ABSOLUTE ${_src})
        set(_abs ${_src})
      else()
        set(_abs ${CMAKE_CURRENT_SOURCE_DIR}/${_src})
      endif()
      if(EXISTS ${_abs} OR _src MATCHES "^\\$<")
        list(APPEND _kept ${_src})
      else()
        message(WARNING "gridke: ${_src} does not exist yet; left out")
      endif()
    endforeach()
    if(NOT _kept)
      set(_kept ${CMAKE_BINARY_DIR}/gridke_empty.cpp)
      file(WRITE ${CMAKE_BINARY_DIR}/gridke_empty.cpp "")
    endif()
    set(${var} ${_kept})
  endif()
endmacro()

function(gridke_add_library)
  cmake_parse_arguments(ARG "HEADER_ONLY" "NAME" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  set(target gridke_${ARG_NAME})
  gridke_existing_sources(ARG_SOURCES)
  if(ARG_HEADER_ONLY)
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_link_libraries(${target} INTERFACE ${ARG_PUBLIC_DEPS})
  else()
    add_library(${target} STATIC ${ARG_SOURCES})
    target_include_directories(${target} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                         PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
    target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
    target_compile_options(${target} PRIVATE ${GRIDKE_WARNINGS})
    if(NOT "Eigen3::Eigen" IN_LIST ARG_PUBLIC_DEPS AND NOT "Eigen3::Eigen" IN_LIST ARG_PRIVATE_DEPS)
      target_compile_options(${target} PRIVATE ${GRIDKE_LIBRARY_OPTIONS})
    endif()
  endif()
  add_library(gridke::${ARG_NAME} ALIAS ${target})
  set_property(GLOBAL APPEND PROPERTY GRIDKE_LIBRARIES ${target})
  # Every public header compiles alone (STYLE.md §2.1): one generated unit per header.
  file(GLOB_RECURSE headers CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/include/*.hpp)
  if(headers AND GRIDKE_BUILD_TESTS AND GRIDKE_HEADER_CHECK)
    set(units)
    foreach(h ${headers})
      file(RELATIVE_PATH rel ${CMAKE_CURRENT_SOURCE_DIR}/include ${h})
      string(MAKE_C_IDENTIFIER ${rel} id)
      set(unit ${CMAKE_CURRENT_BINARY_DIR}/header_check/${id}.cpp)
      file(CONFIGURE OUTPUT ${unit} CONTENT "#include \"${rel}\"\n")
      list(APPEND units ${unit})
    endforeach()
    add_library(${target}_header_check OBJECT ${units})
    # The check is one header per unit; a unity build would merge them and hide missing includes.
    set_target_properties(${target}_header_check PROPERTIES UNITY_BUILD OFF)
    target_link_libraries(${target}_header_check PRIVATE ${target})
    target_compile_options(${target}_header_check PRIVATE ${GRIDKE_WARNINGS} ${GRIDKE_LIBRARY_OPTIONS})
  endif()
endfunction()

# gridke_add_test(NAME <component> SOURCES ... DEPS ... [LABELS ...])
# One executable per component (gridke_<component>_tests), discovered by ctest.
option(GRIDKE_TEST_PCH "precompile GoogleTest headers in test executables" ON)
function(gridke_add_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS;LABELS" ${ARGN})
  set(target gridke_${ARG_NAME}_tests)
  gridke_existing_sources(ARG_SOURCES)
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} gridke_test_support GTest::gmock GTest::gtest_main)
  target_compile_options(${target} PRIVATE ${GRIDKE_WARNINGS} ${GRIDKE_EXECUTABLE_OPTIONS})
  # GoogleTest/GMock headers dominate a test unit's compile time: parse them once per target.
  list(LENGTH ARG_SOURCES n_sources)
  if(GRIDKE_TEST_PCH AND n_sources GREATER 1)
    target_precompile_headers(${target} PRIVATE <gtest/gtest.h> <gmock/gmock.h>)
  endif()
  target_compile_definitions(${target} PRIVATE
    GRIDKE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    GRIDKE_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data"
    GRIDKE_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared"
    GRIDKE_PYTHON="${GRIDKE_PYTHON}")
  # Labels: CMake 3.25's gtest_discover_tests writes a list-valued LABELS unquoted, so only the
  # first label would stick. A second include script, run after discovery, sets the full list.
  set(labels ${ARG_NAME} ${ARG_LABELS})
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 TEST_LIST ${target}_TESTS)
  set(labels_script ${CMAKE_CURRENT_BINARY_DIR}/${target}_labels.cmake)
  file(CONFIGURE OUTPUT ${labels_script} CONTENT
       "foreach(test IN LISTS @target@_TESTS)\n  set_tests_properties(\"\${test}\" PROPERTIES LABELS \"@labels@\")\nendforeach()\n"
       @ONLY)
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${labels_script})
endfunction()

# gridke_add_bench(NAME <name> SOURCES ... DEPS ...) — not built by default (STYLE.md §2.8).
function(gridke_add_bench)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  if(NOT benchmark_FOUND)
    return()
  endif()
  set(target gridke_${ARG_NAME}_bench)
  add_executable(${target} EXCLUDE_FROM_ALL ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} benchmark::benchmark)
  target_compile_options(${target} PRIVATE ${GRIDKE_WARNINGS})
  target_compile_definitions(${target} PRIVATE GRIDKE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    GRIDKE_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared"
    GRIDKE_PYTHON="${GRIDKE_PYTHON}")
  set_property(GLOBAL APPEND PROPERTY GRIDKE_BENCH_TARGETS ${target})
endfunction()
