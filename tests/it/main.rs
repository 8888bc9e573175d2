mod eboekhouden_client;
