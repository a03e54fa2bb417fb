// An object whose members are all declared properties skips the pass over its members that
// additionalProperties needs (the validator's shortcut). That pass only ever looks at undeclared
// members, so the shortcut must change nothing: the same issues, the same defaults filled in, the
// same yes/no. A patternProperties that matches no name turns the shortcut off, which gives the
// general path to compare against.
#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

#include "schema_test_helpers.hpp"

namespace mw::schema::test {
namespace {

// `additional` is the additionalProperties keyword with its value, or empty for none.
std::string object_schema(std::string_view additional, bool general_path) {
  std::string schema = R"({"type":"object","required":["id"],"properties":{
      "id":{"type":"integer"},"name":{"type":"string","default":"unnamed"}})";
  if (!additional.empty()) schema += "," + std::string(additional);
  if (general_path) schema += R"(,"patternProperties":{"^matches no member$":{}})";
  return schema + "}";
}

const char* const kAdditional[] = {R"("additionalProperties":false)", R"("additionalProperties":true)",
                                   R"("additionalProperties":{"type":"integer"})", ""};

// Only declared members (a filled default is one too), then undeclared ones besides them.
const char* const kInstances[] = {
    "{}",
    R"({"id":1})",
    R"({"id":1,"name":"a"})",
    R"({"id":"one","name":2})",
    R"({"id":1,"extra":"x"})",
    R"({"id":1,"name":"a","extra":2})",
    R"({"extra":"x"})",
    R"({"id":"one","extra":"x","more":3})",
};

TEST(DeclaredMembers, ObjectsOfDeclaredMembersOnlyValidateAsOnTheGeneralPath) {
  for (const char* additional : kAdditional) {
    auto shortcut = compile(object_schema(additional, false));
    auto general = compile(object_schema(additional, true));
    for (const char* text : kInstances) {
      SCOPED_TRACE(std::string(additional) + " " + text);
      json::value instance = parse(text);
      EXPECT_EQ(found(shortcut.validate(instance)), found(general.validate(instance)));
      EXPECT_EQ(shortcut.is_valid(instance), general.is_valid(instance));
      json::value filled_shortcut = instance, filled_general = instance;
      EXPECT_EQ(found(shortcut.validate_and_fill(filled_shortcut)), found(general.validate_and_fill(filled_general)));
      EXPECT_EQ(filled_shortcut, filled_general);
    }
  }
}

// The comparison above would pass if both paths were wrong the same way: what they must say.
TEST(DeclaredMembers, UndeclaredMembersAreStillCheckedBesideDeclaredOnes) {
  auto forbidden = compile(object_schema(R"("additionalProperties":false)", false));
  EXPECT_TRUE(forbidden.validate(parse(R"({"id":1,"name":"a"})")).empty());
  Found extra{{"extra", "Extra inputs are not permitted"}};
  EXPECT_EQ(found(forbidden.validate(parse(R"({"id":1,"name":"a","extra":2})"))), extra);
  // The filled default makes the members as many as the declared ones found: the undeclared
  // member must still be seen.
  json::value instance = parse(R"({"id":1,"extra":2})");
  EXPECT_EQ(found(forbidden.validate_and_fill(instance)), extra);
  EXPECT_EQ(instance, parse(R"({"id":1,"extra":2,"name":"unnamed"})"));

  auto typed = compile(object_schema(R"("additionalProperties":{"type":"integer"})", false));
  Found not_integer{{"extra", "Input should be a valid integer"}};
  EXPECT_EQ(found(typed.validate(parse(R"({"id":1,"extra":"x"})"))), not_integer);
  EXPECT_TRUE(typed.validate(parse(R"({"id":1,"extra":2})")).empty());

  auto allowed = compile(object_schema(R"("additionalProperties":true)", false));
  EXPECT_TRUE(allowed.validate(parse(R"({"id":1,"extra":"x"})")).empty());
}

}  // namespace
}  // namespace mw::schema::test
