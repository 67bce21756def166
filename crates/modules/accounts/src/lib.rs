//! The accounts module: agencies, officials, citizens, roles and key rotation.
