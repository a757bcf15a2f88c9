# Runs `gridke demo` and checks its exit codes and output (ctest: adapter.demo.*).
# Usage: cmake -DGRIDKE=<path to gridke> -P demo_cli_test.cmake
if(NOT GRIDKE)
  message(FATAL_ERROR "pass -DGRIDKE=<path to the gridke binary>")
endif()

function(expect_contains output needle)
  string(FIND "${output}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "expected the output to contain '${needle}', got:\n${output}")
  endif()
endfunction()

# 1. Text output: every step, the canonical pattern, exchange info and results.
execute_process(COMMAND ${GRIDKE} demo RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gridke demo exited ${rc}\n${out}\n${err}")
endif()
foreach(needle
    "GridKE demo \"dso-hems\""
    "<https://example.org/dso>"
    "<https://example.org/hems/house-17>"
    "[1] ASK ask-power-measurement"
    "[2] POST post-power-limit"
    "[3] ASK ask-power-measurement"
    "?measurement <https://saref.etsi.org/core/isMeasuredIn> <http://www.ontology-of-units-of-measure.org/resource/om-2/kilowatt> ."
    "<https://example.org/hems/house-17/interaction/answer-power-measurement>  SUCCEEDED"
    "<https://example.org/hems/house-17/interaction/react-power-limit>  SUCCEEDED"
    "?kw = \"3.2\"^^<http://www.w3.org/2001/XMLSchema#double>"
    "?appliedKw = \"2.5\"^^<http://www.w3.org/2001/XMLSchema#double>"
    "?maxKw = \"2.5\"^^<http://www.w3.org/2001/XMLSchema#double>"
    "All exchanges SUCCEEDED.")
  expect_contains("${out}" "${needle}")
endforeach()

# 2. JSON output: the same exchanges with the KE's field names.
execute_process(COMMAND ${GRIDKE} demo dso-hems --format json
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gridke demo --format json exited ${rc}\n${out}\n${err}")
endif()
string(JSON succeeded GET "${out}" succeeded)
string(JSON steps LENGTH "${out}" exchanges)
string(JSON kind GET "${out}" exchanges 1 kind)
string(JSON status GET "${out}" exchanges 1 result exchangeInfo 0 status)
string(JSON applied GET "${out}" exchanges 1 result resultBindingSet 0 appliedKw)
string(JSON after GET "${out}" exchanges 2 result bindingSet 0 kw)
if(NOT succeeded STREQUAL "ON" OR NOT steps EQUAL 3 OR NOT kind STREQUAL "POST"
   OR NOT status STREQUAL "SUCCEEDED")
  message(FATAL_ERROR "unexpected JSON (succeeded=${succeeded} steps=${steps} kind=${kind} "
                      "status=${status}):\n${out}")
endif()
if(NOT applied STREQUAL "\"2.5\"^^<http://www.w3.org/2001/XMLSchema#double>"
   OR NOT after STREQUAL "\"2.5\"^^<http://www.w3.org/2001/XMLSchema#double>")
  message(FATAL_ERROR "expected 2.5 kW applied and measured after the limit, got '${applied}' "
                      "and '${after}'")
endif()

# 3. Usage errors exit 2 and say what was wrong; a missing contracts folder names it.
execute_process(COMMAND ${GRIDKE} demo no-such-demo RESULT_VARIABLE rc OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "gridke demo no-such-demo exited ${rc}, expected 2")
endif()
expect_contains("${err}" "no demo named 'no-such-demo' (demos: dso-hems)")
execute_process(COMMAND ${GRIDKE} demo --format xml RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "gridke demo --format xml exited ${rc}, expected 2")
endif()
expect_contains("${err}" "--format must be text or json")
execute_process(COMMAND ${GRIDKE} demo --contracts /nonexistent/folder RESULT_VARIABLE rc
  ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "gridke demo with a missing contracts folder succeeded")
endif()
expect_contains("${err}" "no such contract folder: /nonexistent/folder")
execute_process(COMMAND ${GRIDKE} demo --help RESULT_VARIABLE rc OUTPUT_VARIABLE out)
expect_contains("${out}" "Usage: gridke demo [NAME]")
