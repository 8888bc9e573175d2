mod eboekhouden_client;
mod eboekhouden_simulator;
mod zeep;
