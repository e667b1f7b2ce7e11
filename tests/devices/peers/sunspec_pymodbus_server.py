#!/usr/bin/python3
# An independent SunSpec peer for the tests: pymodbus (Debian's python3-pymodbus) serving a
# SolarEdge-like map from 40000 with the scale factors and signs given on the command line.
# Usage: sunspec_pymodbus_server.py MARKER INV_W_RAW INV_SF METER_W_RAW METER_SF [METER2_W_RAW METER2_SF]
# Prints "ready PORT" once it listens on 127.0.0.1.
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext

from modbus_peer import serve

marker, inv_w, inv_sf, met_w, met_sf = sys.argv[1], *[int(x) for x in sys.argv[2:6]]

def u16(v):
    return v & 0xFFFF

def text(s, words):
    b = s.encode().ljust(2 * words, b"\0")
    return [(b[2 * i] << 8) | b[2 * i + 1] for i in range(words)]

regs = [0] * 296
regs[0:2] = [(ord(marker[0]) << 8) | ord(marker[1]), (ord(marker[2]) << 8) | ord(marker[3])]
regs[2:4] = [1, 65]
regs[4:20] = text("SolarEdge", 16)
regs[20:36] = text("SE7K-PYMODBUS", 16)
regs[52:68] = text("PEER0001", 16)
regs[69:71] = [101, 50]                 # single-phase inverter this time
regs[83], regs[84] = u16(inv_w), u16(inv_sf)
regs[107] = 5                           # throttled
regs[121:123] = [1, 65]
regs[188:190] = [201, 105]              # single-phase meter
regs[206], regs[210] = u16(met_w), u16(met_sf)
regs[295] = 0xFFFF
if len(sys.argv) > 7:                   # a second, three-phase meter (e.g. the house's consumption)
    regs[295:297] = [1, 65]
    regs.extend([0] * (469 - 296 + 1))
    regs[362:364] = [203, 105]
    regs[380], regs[384] = u16(int(sys.argv[6])), u16(int(sys.argv[7]))
    regs[469] = 0xFFFF

block = ModbusSequentialDataBlock(40000, regs)
context = ModbusServerContext(slaves=ModbusSlaveContext(hr=block, zero_mode=True), single=True)
serve(context)
