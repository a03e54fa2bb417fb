#pragma once
// The datasets of , restated as JSON.
#include "query_test_util.hpp"

namespace mw::query::test {

inline json::value data_rows() {
  return parse(R"([{"foo":"foo1","number":1,"list":[1]},{"foo":"foo2","number":2,"list":[2]},
                   {"foo":"_foo_","number":3,"list":[3]}])");
}

inline json::value null5_rows() {
  json::value rows = data_rows();
  rows.as_array().push_back(parse(R"({"foo":null,"number":4,"list":[4]})"));
  rows.as_array().push_back(parse(R"({"number":5,"list":[5]})"));
  return rows;
}

inline json::value case_rows() {
  return parse(R"([{"foo":"foo","number":1},{"foo":"Foo","number":2},{"foo":"foO_","number":3},
                   {"foo":"bar","number":3}])");
}

inline json::value lod_rows() {
  return parse(R"([{"foo":"foo","list":[{"number":1},{"number":2}]},{"foo":"Foo","list":[{"number":2},{"number":3}]},
                   {"foo":"foO_","list":[{"number":3}]},{"foo":"bar","list":[{"number":0}]}])");
}

inline json::value deep_rows() {
  return parse(R"([{"foo":"foo","list":[{"list2":[{"number":1},"canary"]},{"list2":[{"number":2},"canary"]}]},
                   {"foo":"Foo","list":[{"list2":[{"number":3},"canary"]},{"list2":[{"number":2},"canary"]}]}])");
}

inline json::value inconsistent_rows() {
  return parse(R"([{"list":[{"number":1},"canary"]},{"list":[1,{"number":3}]},{"list":[{"number":3},["bob",1]]},
                   {"list":[{"number":0}]},{"list":"whointheirrightmindwoulddothis"},{},{"list":null},
                   {"list":42},"canary"])");
}

inline json::value select_rows() {
  return parse(R"([
    {"foo":"foo1","number":1,"foobar":{"stuff":{"more_stuff":1}},"foo.bar":42,"list":[1]},
    {"foo":"foo2","number":2,"foobar":{"stuff":{"more_stuff":2}},"foo.bar":43,"list":[2]},
    {"foo":"foo3","number":3,"foobar":{"stuff":{"more_stuff":2}},"foo.bar":44,"list":[3]},
    {"foo":"foo4","number":4,"foobar":{"stuff":{"more_stuff":4}},"foo.bar":45,"list":[4]}])");
}

inline json::value basic_rows() {
  return parse(R"([{"id":1,"name":"alice","score":100,"active":true,"tags":["a","b"]},
                   {"id":2,"name":"bob","score":85,"active":true,"tags":["b","c"]},
                   {"id":3,"name":"carol","score":90,"active":false,"tags":["a","c"]},
                   {"id":4,"name":"dave","score":70,"active":false,"tags":["d"]},
                   {"id":5,"name":"eve","score":95,"active":true,"tags":["a","b","c"]}])");
}

inline json::value nulls_rows() {
  return parse(R"([{"id":1,"value":"alpha"},{"id":2,"value":null},{"id":3,"value":"beta"},{"id":4}])");
}

// SMB audit records: two authentications, then five records with timestamps on 2023-12-18 UTC
// (16:10:30, 16:10:33, 16:15:35, 16:15:55, 16:21:25).
inline json::value audit_rows() {
  return parse(R"([
    {"event":"AUTHENTICATION","Authentication":{"status":"NT_STATUS_OK","localAddress":"ipv4:192.168.0.10:445",
      "remoteAddress":"ipv4:192.168.0.20:51000","clientAccount":"joiner","serviceDescription":"SMB2"}},
    {"event":"AUTHENTICATION","Authentication":{"status":"NT_STATUS_NO_SUCH_USER","localAddress":"ipv4:192.168.0.10:445",
      "remoteAddress":"ipv4:192.168.0.21:51001","clientAccount":"admin","serviceDescription":"SMB2"}}])");
}

inline json::value timestamp_rows() {
  return parse(R"([{"id":1,"timestamp":{"$date":1702915830000}},{"id":2,"timestamp":{"$date":1702915833000}},
                   {"id":3,"timestamp":{"$date":1702916135000}},{"id":4,"timestamp":{"$date":1702916155000}},
                   {"id":5,"timestamp":{"$date":1702916485000}}])");
}

}  // namespace mw::query::test
