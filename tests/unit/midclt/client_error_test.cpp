#include "midclt/client_error.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace json = boost::json;
using namespace midclt;

TEST(ClientErrorText, InvalidParamsRebuildsOneLinePerTriple) {
  auto error = json::parse(R"J({"code":-32602,"message":"Invalid params","data":{"error":22,"errname":"EINVAL",
      "reason":"[EINVAL] vm_create.memory: Field required\n","trace":null,
      "extra":[["vm_create.memory","Field required",22],["","Too many arguments (expected 1, found 2)",22],
               [null,"Whole thing",22]]}})J");
  EXPECT_EQ(render_error(error_from_jsonrpc(error)),
            "[EINVAL] vm_create.memory: Field required\n"
            "[EINVAL] ALL: Too many arguments (expected 1, found 2)\n"
            "[EINVAL] ALL: Whole thing\n");
}

TEST(ClientErrorText, ValidationErrnoWithoutPythonNameIsUnknown) {
  EXPECT_EQ(validation_errors_text(json::parse(R"J([["a","b",201]])J")), "[EUNKNOWN] a: b");
  EXPECT_EQ(validation_errors_text(json::parse(R"J([["a","b",2]])J")), "[ENOENT] a: b");
}

TEST(ClientErrorText, CallErrorPrintsReasonTraceAndExtra) {
  auto error = json::parse(R"J({"code":-32001,"message":"Method call error","data":{"error":12,"errname":"ENOMEM",
      "reason":"[ENOMEM] Cannot guarantee memory for guest testvm",
      "trace":{"class":"CallError","formatted":"Traceback (most recent call last):\n  boom","repr":"CallError()"},
      "extra":{"needed":2048,"free":null}}})J");
  ClientError e = error_from_jsonrpc(error);
  EXPECT_EQ(e.errnum(), 12);
  EXPECT_EQ(render_error(e),
            "[ENOMEM] Cannot guarantee memory for guest testvm\n"
            "Traceback (most recent call last):\n  boom\n"
            "{'free': None, 'needed': 2048}\n");
}

TEST(ClientErrorText, CallErrorWithoutTraceOrExtraPrintsOnlyReason) {
  auto error = json::parse(R"J({"code":-32001,"message":"Method call error","data":{"error":207,
      "errname":"ENOTAUTHENTICATED","reason":"[ENOTAUTHENTICATED] Not authenticated","trace":null,"extra":null}})J");
  EXPECT_EQ(render_error(error_from_jsonrpc(error)), "[ENOTAUTHENTICATED] Not authenticated\n");
}

TEST(ClientErrorText, MethodNotFoundPrintsTheMessage) {
  auto error = json::parse(R"J({"code":-32601,"message":"Method does not exist"})J");
  EXPECT_EQ(render_error(error_from_jsonrpc(error)), "Method does not exist\n");
}

TEST(ClientErrorText, OtherCodesPrintTheMessageOrTheCodeName) {
  EXPECT_EQ(render_error(error_from_jsonrpc(
                json::parse(R"J({"code":-32000,"message":"Maximum number of concurrent calls (20) has exceeded"})J"))),
            "Maximum number of concurrent calls (20) has exceeded\n");
  EXPECT_EQ(render_error(error_from_jsonrpc(json::parse(R"J({"code":-32603,"message":""})J"))), "INTERNAL_ERROR\n");
}

TEST(ClientErrorText, LegacyValidationErrorUsesTriples) {
  auto error = json::parse(R"J({"error":11,"errname":"EAGAIN","type":"VALIDATION","reason":"x",
      "trace":{"formatted":"tb"},"extra":[["vm_update.name","Invalid",22]]})J");
  EXPECT_EQ(render_error(error_from_legacy(error)), "[EINVAL] vm_update.name: Invalid\n");
}

TEST(ClientErrorText, LegacyCallErrorPrintsReasonAndTrace) {
  auto error = json::parse(R"J({"error":201,"errname":"ENOMETHOD","type":null,
      "reason":"[ENOMETHOD] Method 'x' not found in 'vm'","trace":{"formatted":"tb"},"extra":null})J");
  EXPECT_EQ(render_error(error_from_legacy(error)), "[ENOMETHOD] Method 'x' not found in 'vm'\ntb\n");
}

TEST(ClientErrorText, FailedJobPrintsErrorThenException) {
  auto job = json::parse(R"J({"id":5,"state":"FAILED","error":"[EFAULT] nope","exception":"Traceback\n  x",
      "exc_info":{"type":"CallError","errno":14,"extra":null,"repr":"CallError()"}})J")
                 .get_object();
  EXPECT_EQ(render_error(error_from_job(job, 5)), "[EFAULT] nope\nTraceback\n  x\n");
}

TEST(ClientErrorText, FailedJobWithValidationTypePrintsTriples) {
  auto job = json::parse(R"J({"id":5,"state":"FAILED","error":"x","exception":"tb",
      "exc_info":{"type":"VALIDATION","errno":null,"extra":[["","Too many arguments (expected 1, found 2)",22]]}})J")
                 .get_object();
  EXPECT_EQ(render_error(error_from_job(job, 5)), "[EINVAL] ALL: Too many arguments (expected 1, found 2)\n");
}

TEST(ClientErrorText, AbortedJobWithoutErrorNamesItsState) {
  auto job = json::parse(R"J({"id":7,"state":"ABORTED","error":null,"exception":null,"exc_info":null})J").get_object();
  EXPECT_EQ(render_error(error_from_job(job, 7)), "Job 7 did not succeed (state='ABORTED')\n");
}
