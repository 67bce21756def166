//! Durable block and state store on fjall; one atomic batch per committed block.
