// The address rule of outbound requests chosen by admins (issue 14 item 7): which literals are
// refused, IPv4-mapped, NAT64 and 6to4 forms included.
import { isNonPublicAddress } from "../../src/shared/private-address";

describe("isNonPublicAddress", () => {
  test.each([
    "127.0.0.1",
    "127.255.0.9",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.0.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "[::1]",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fe80::1%eth0",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:10.0.0.1",
    "::10.0.0.1",
    "64:ff9b::c0a8:1",
    "2002:0a00:0001::1",
    "not an address",
    "1.2.3",
  ])("when the address is %s, then it is refused", (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  test.each([
    "8.8.8.8",
    "172.32.0.1",
    "100.128.0.1",
    "1.1.1.1",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:0808:0808::1",
    "[2001:4860:4860::8888]",
  ])("when the address is %s, then it is public", (address) => {
    expect(isNonPublicAddress(address)).toBe(false);
  });
});
