"""The hardware ADC/I/O board: its serial protocol (``protocol``, ``commands``), the streaming
decoder (``framing``), the DaqOpen Arduino-Due profile (``daqopen``) and a board simulator
(``simulator``). docs/board-protocol.md documents the wire format."""
