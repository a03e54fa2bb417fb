// Job methods through midclt: the job id without -j, progress and result with -j.
#include <chrono>
#include <regex>

#include "midclt_fixture.hpp"

namespace midclt_it {

using JobTest = MidcltAgainstDaemon;

TEST_F(JobTest, WithoutJobFlagPrintsTheJobIdAtOnce) {
  auto start = std::chrono::steady_clock::now();
  auto r = midclt({"call", "test.job_sleep", "3"});
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex("[0-9]+\n"))) << r.out;
  EXPECT_LT(elapsed, std::chrono::seconds(2)) << "midclt waited for the job instead of printing its id";
}

TEST_F(JobTest, JobFlagDrawsProgressAndPrintsTheResult) {
  auto r = midclt({"call", "-j", "test.job_sleep", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "42\n");
  EXPECT_NE(r.err.find("Status: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Total Progress: [" + std::string(40, '#') + "] 100.00%\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\033[2K\033[A\033[2K\r"), std::string::npos);
}

TEST_F(JobTest, DescriptionModePrintsNoProgressBar) {
  auto r = midclt({"call", "-j", "-jp", "description", "test.job_sleep", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "42\n");
  EXPECT_EQ(r.err.find("Total Progress"), std::string::npos) << r.err;
}

TEST_F(JobTest, FailedJobPrintsErrorAndExitsOne) {
  auto r = midclt({"call", "-j", "test.fail_job", "13"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("[EACCES] Job failed on purpose\n"), std::string::npos) << r.err;
}

TEST_F(JobTest, FailedJobWithQuietPrintsNoErrorText) {
  auto r = midclt({"call", "-q", "-j", "-jp", "description", "test.fail_job", "13"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.find("Job failed on purpose"), std::string::npos) << r.err;
}

}  // namespace midclt_it
