// A stored device's attributes text read straight into typed fields (attributes_from_plain_text)
// must give what parsing it into a json::value and reading that gives, and must decline every
// text outside the plain form this server writes, which the reader then reads through a
// json::value: same attributes, same errors, as before the straight path existed.
#include <climits>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "device/device_kind.hpp"
#include "stored_attributes.hpp"

namespace mw::vm::testing {
namespace {

using Outcome = std::variant<DeviceAttributes, std::string>;  // the attributes, or what was thrown

// What the load did before the straight path: parse a json::value, read the typed fields from it.
Outcome through_a_value(std::string_view text) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(text, ec);
  if (ec) return std::string("vm_device 7: attributes are not JSON");
  auto parsed = v.is_object() ? attributes_from_json(v.get_object()) : std::nullopt;
  if (!parsed) return std::string("vm_device 7: attributes name no known dtype");
  return *parsed;
}

Outcome read(StoredAttributesReader& reader, std::string_view text) {
  try {
    return reader.read(7, text);
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
}

std::string shown(const Outcome& outcome) {
  if (auto* error = std::get_if<std::string>(&outcome)) return "error: " + *error;
  return json::serialize(to_json(std::get<DeviceAttributes>(outcome)));
}

// Every dtype with its defaults, and again with every optional field set, strings holding what
// the serializer escapes, negative and extreme integers, nested records.
std::vector<DeviceAttributes> every_dtype() {
  const std::string escaped = std::string("q\"b\\s/\b\t\n\f\r\x01\x1f") + '\0' + "\x7f end";
  std::vector<DeviceAttributes> out;
  for (const auto& dtype : device_types()) {
    out.push_back(*default_attributes(dtype));
    DeviceAttributes a = *default_attributes(dtype);
    std::visit(
        [&](auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, CdromAttributes>) x.path = escaped;
          if constexpr (std::is_same_v<T, DiskAttributes>) {
            x.path = escaped, x.type = "VIRTIO", x.create_zvol = true, x.zvol_name = "pool/vm-disk";
            x.zvol_volsize = INT64_MIN + 1, x.logical_sectorsize = 512, x.physical_sectorsize = 4096;
            x.iotype = "IO_URING", x.serial = "";
          }
          if constexpr (std::is_same_v<T, RawAttributes>) {
            x.path = "/mnt/pool/raw.img", x.exists = true, x.boot = true, x.size = 999999999999999999;
            x.serial = escaped;
          }
          if constexpr (std::is_same_v<T, DisplayAttributes>) {
            x.type = "VNC", x.port = 5900, x.web_port = -1, x.password = escaped, x.wait = true, x.web = false;
          }
          if constexpr (std::is_same_v<T, NicAttributes>) {
            x.nic_attach = "br0", x.mac = "00:a0:98:12:34:56", x.trust_guest_rx_filters = true;
            x.pci_address = PciAddress{0, 3, 31, 7};
          }
          if constexpr (std::is_same_v<T, PciAttributes>) x.pptdev = "pci_0000_03_00_0";
          if constexpr (std::is_same_v<T, UsbAttributes>) x.usb = UsbIds{"0x1d6b", escaped}, x.device = "usb_1_2";
        },
        a);
    out.push_back(std::move(a));
  }
  return out;
}

TEST(StoredAttributes, ThePlainFormOfEveryDtypeIsReadStraightIntoTheSameFields) {
  StoredAttributesReader reader;
  for (const auto& attributes : every_dtype()) {
    const std::string text = json::serialize(to_json(attributes));
    const auto straight = attributes_from_plain_text(text);
    ASSERT_TRUE(straight) << "declined: " << text;
    EXPECT_EQ(*straight, attributes) << text;
    EXPECT_EQ(shown(read(reader, text)), shown(through_a_value(text))) << text;
  }
}

// Valid JSON the serializer does not write but the straight path still reads: white space between
// tokens, a \u escape below 0x80, an escaped slash.
TEST(StoredAttributes, WhiteSpaceAndShortUnicodeEscapesAreReadStraight) {
  for (const std::string text :
       {" {\n \"dtype\" : \"NIC\" ,\t\"mac\":\r\"00:a0\" , \"pci_address\" : { \"bus\" : 2 } } \n",
        R"({"dtype":"CDROM","path":"\u0041\u007F\u001f\/"})", R"({"dtype":"PCI"})",
        R"({"dtype":"DISK","zvol_volsize":9223372036854775807,"logical_sectorsize":-9223372036854775808})",
        R"({"dtype":"RAW","size":-0,"logical_sectorsize":0})"}) {
    const auto straight = attributes_from_plain_text(text);
    ASSERT_TRUE(straight) << text;
    EXPECT_EQ(shown(*straight), shown(through_a_value(text)));
  }
}

// Texts an older server, a migration or a hand edit could have stored, and broken ones: the
// straight path declines each, and the reader's answer, attributes or error, is the old one.
TEST(StoredAttributes, EveryOtherTextIsDeclinedAndReadAsBefore) {
  const std::vector<std::string> texts = {
      // accepted through a value
      R"({"type":"VIRTIO","dtype":"NIC"})",                           // dtype not first
      R"({"dtype":"NIC","bogus":1})",                                 // a key the model does not have
      R"({"dtype":"DISPLAY","port":5900,"port":5901})",               // a key twice: the value decides which
      R"({"dtype":"DISPLAY","port":5900,"port":"x"})",                //
      R"({"dtype":"DISPLAY","port":"5900"})",                         // another type: the optional is engaged
      R"({"dtype":"NIC","mac":5,"nic_attach":true})",                 //
      R"({"dtype":"NIC","pci_address":5})",                           //
      R"({"dtype":"NIC","pci_address":[1]})",                         //
      R"({"dtype":"DISK","create_zvol":1,"type":null})",              // another type: the default stays
      R"({"dtype":"DISPLAY","port":5900.0,"web_port":5.9e3})",        // a fraction, an exponent
      R"({"dtype":"DISK","zvol_volsize":18446744073709551615})",      // past int64: read as uint64
      R"({"dtype":"DISK","zvol_volsize":9223372036854775808})",       // one past int64
      R"({"dtype":"DISK","zvol_volsize":-9223372036854775809})",      // one below
      R"({"dtype":"DISK","zvol_volsize":123456789012345678901234})",  // past uint64: a double
      "{\"dtype\":\"CDROM\",\"path\":\"/mnt/\xc3\xa9.iso\"}",         // UTF-8
      R"({"dtype":"CDROM","path":"/mnt/\u00e9\ud83d\ude00.iso"})",    // escapes beyond ASCII
      R"({"dtype":"USB","usb":{"vendor_id":"0x1","vendor_id":"0x2"}})",
      R"({"dtype":"NIC","pci_address":{"bus":1,"extra":2}})",
      // refused through a value
      R"({"dtype":"FLOPPY"})", R"({})", R"({"dtype":1})", R"({"dtype":null,"path":"x"})", R"([])", R"("NIC")",
      R"(null)", R"({"dtype":"NIC")", R"({"dtype":"NIC"} x)", R"({"dtype":"NIC",})", R"({"dtype":"NIC"}{})", "",
      R"({"dtype":"DISPLAY","port":05900})", R"({"dtype":"NIC"} // note)", "{\"dtype\":\"CDROM\",\"path\":\"\xff\"}",
      "{\"dtype\":\"CDROM\",\"path\":\"a\tb\"}", std::string("{\"dtype\":\"CDROM\",\"path\":\"a") + '\0' + "\"}",
      R"({"dtype":"CDROM","path":"\x"})", R"({"dtype":"CDROM","path":"\u00"})", R"({"dtype":"DISK","boot":tru})",
      R"({"dtype":"DISPLAY","port":-})", R"({'dtype':'NIC'})"};
  StoredAttributesReader reader;
  for (const auto& text : texts) {
    EXPECT_FALSE(attributes_from_plain_text(text)) << text;
    EXPECT_EQ(shown(read(reader, text)), shown(through_a_value(text))) << text;
  }
}

// The reader's parser and arena are reused: a declined text read between plain ones changes
// nothing for those after it.
TEST(StoredAttributes, OneReaderReadsPlainAndOtherTextsInTurn) {
  StoredAttributesReader reader;
  for (int round = 0; round < 3; ++round)
    for (const auto& attributes : every_dtype()) {
      const std::string plain = json::serialize(to_json(attributes));
      EXPECT_EQ(shown(read(reader, plain)), plain);
      // A key before dtype: declined, read through a value.
      EXPECT_EQ(shown(read(reader, R"({"bogus":[1,2,{"x":null}],)" + plain.substr(1))), plain);
    }
}

}  // namespace
}  // namespace mw::vm::testing
