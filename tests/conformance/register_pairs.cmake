# Writes CTEST_FILE: one ctest entry per engine pair of TEST_EXECUTABLE (the conformance suite),
# read from its --gtest_list_tests ("  TestName/pg_to_mariadb  # GetParam() = ..."). A pair's
# tests run in one process so they share the pair's throwaway servers (tests/conformance/
# contract_test.cc); the pairs themselves come from the engine table in the C++ support, so no
# engine is named here.
execute_process(COMMAND "${TEST_EXECUTABLE}" --gtest_list_tests
                OUTPUT_VARIABLE listing RESULT_VARIABLE rc TIMEOUT 60)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${TEST_EXECUTABLE} --gtest_list_tests failed: ${rc}")
endif()
string(REGEX MATCHALL "\n  [A-Za-z0-9_]+/[A-Za-z0-9_]+" cases "${listing}")
set(pairs "")
foreach(c IN LISTS cases)
  string(REGEX REPLACE ".*/" "" pair "${c}")
  list(APPEND pairs "${pair}")
endforeach()
list(REMOVE_DUPLICATES pairs)
set(out "")
foreach(pair IN LISTS pairs)
  string(APPEND out "add_test(conformance.${pair} \"${TEST_EXECUTABLE}\" \"--gtest_filter=*/${pair}\")\n")
  string(APPEND out "set_tests_properties(conformance.${pair} PROPERTIES LABELS conformance TIMEOUT 900)\n")
endforeach()
file(WRITE "${CTEST_FILE}" "${out}")
