# Installs the Python package (component "python") into a scratch prefix and imports it from
# there, away from the build tree: the installed package carries its module and its tables.
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --component python --prefix ${WORK_DIR}/prefix
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "installing the python component failed: ${rc}")
endif()
set(code [=[
import json, sys, cybercover
assert cybercover.__file__.startswith(sys.argv[1]), cybercover.__file__
out = json.loads(cybercover.Engine().assess_json('{"quote_date": "2026-12-15", "answers": {}}'))
print(out["assessment"]["score"], out["assessment"]["unknown_count"], out["tables"]["edition"])
]=])
execute_process(COMMAND ${CMAKE_COMMAND} -E env PYTHONPATH=${WORK_DIR}/prefix/${SITE_DIR} PYTHONNOUSERSITE=1
                        ${PYTHON} -c "${code}" ${WORK_DIR}/prefix
                WORKING_DIRECTORY ${WORK_DIR}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out STREQUAL "0 98 2026-12\n")
  message(FATAL_ERROR "the installed package printed '${out}' (exit ${rc}): ${err}")
endif()
message(STATUS "installed package: ${out}")
